"""The audit itself: it must catch what it claims to catch, or the journeys prove nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import LiveServer
from tests.browser.journey import Journey, failing_violations, reflow_problems


@pytest.fixture
def journey(chromium: Browser, live_server: LiveServer) -> Iterator[Journey]:
    """A journey whose browser does not apply the service's Content-Security-Policy.

    These tests write documents of their own, with inline styles, over a page of the service;
    such a document keeps the page's policy, which would block those styles (as it should on
    the service's own pages, where every other journey checks that nothing is blocked).
    """
    context = chromium.new_context(base_url=live_server.url, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(10_000)
    try:
        yield Journey(context.new_page(), live_server.url)
    finally:
        context.close()


INACCESSIBLE_PAGE = """<!DOCTYPE html>
<html><head><title>Broken on purpose</title></head>
<body><main>
  <h1>Broken on purpose</h1>
  <img src="/assets/images/govuk-crest.svg">
  <form><input type="text" name="unlabelled"></form>
  <p style="color:#eee;background:#fff">Pale text nobody can read</p>
</main></body></html>"""


def test_the_audit_fails_a_page_with_serious_violations_and_names_them(
    journey: Journey,
) -> None:
    journey.go("/")
    journey.page.set_content(INACCESSIBLE_PAGE)
    with pytest.raises(AssertionError) as failure:
        journey.audit()
    message = str(failure.value)
    for rule in ("html-has-lang", "image-alt", "label", "color-contrast"):
        assert rule in message
    assert "(critical)" in message
    assert "(serious)" in message
    assert "img" in message  # the elements' selectors are named


def test_moderate_serious_and_critical_violations_count_and_minor_ones_do_not() -> None:
    response = {
        "violations": [
            {"id": "region", "impact": "moderate", "help": "h", "nodes": [{"target": ["p"]}]},
            {"id": "image-alt", "impact": "critical", "help": "h", "nodes": [{"target": ["img"]}]},
            {"id": "label", "impact": "serious", "help": "h", "nodes": [{"target": ["#a"]}]},
            {"id": "x-minor", "impact": "minor", "help": "h", "nodes": [{"target": ["b"]}]},
        ]
    }
    assert [v.rule for v in failing_violations(response)] == ["region", "image-alt", "label"]


OUTSIDE_A_LANDMARK = """<!DOCTYPE html>
<html lang="en"><head><title>A banner outside every landmark</title></head>
<body><div><p>This is a new service.</p></div><main><h1>Landmarks</h1></main></body></html>"""


def test_the_audit_fails_content_outside_a_landmark(journey: Journey) -> None:
    journey.go("/")
    journey.page.set_content(OUTSIDE_A_LANDMARK)
    with pytest.raises(AssertionError, match=r"region \(moderate\)"):
        journey.audit()


def _page_with(body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><title>Reflow</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f"<body><main><h1>Reflow</h1>{body}</main></body></html>"
    )


def test_the_audit_fails_a_page_wider_than_320_pixels_and_names_what_sticks_out(
    journey: Journey,
) -> None:
    journey.go("/")
    journey.page.set_content(_page_with('<p id="too-wide" style="width:400px">Wide text</p>'))
    with pytest.raises(AssertionError) as failure:
        journey.audit()
    message = str(failure.value)
    assert "scrolls sideways at 320px wide" in message
    assert "p#too-wide (right edge at" in message
    assert journey.page.viewport_size == {"width": 1280, "height": 720}, "the size is put back"


def test_a_wide_table_may_scroll_inside_its_own_region(journey: Journey) -> None:
    journey.go("/")
    wide = '<div style="width:400px">Wide content</div>'
    assert reflow_problems(journey.page) == []
    journey.page.set_content(_page_with(wide))
    assert reflow_problems(journey.page)[0].startswith("the page is 4")
    with pytest.raises(AssertionError, match="scrolls sideways"):
        journey.audit()
    journey.page.set_content(
        _page_with(
            '<div role="region" aria-label="Wide" tabindex="0" style="overflow-x:auto">'
            f"{wide}</div>"
        )
    )
    assert reflow_problems(journey.page) == []
    journey.audit()  # the same content, scrolling in its own region, passes


def _node(html: str, *attributes: str) -> dict[str, object]:
    check = {"id": "aria-allowed-attr", "data": list(attributes), "impact": "critical"}
    return {"html": html, "target": ["#x"], "all": [check], "any": [], "none": []}


REVEALING_RADIO = (
    '<input class="govuk-radios__input" id="x" name="x" type="radio" value="no" '
    'aria-controls="conditional-x" aria-expanded="false">'
)


def test_govuk_frontends_conditional_reveal_finding_is_the_only_one_let_through() -> None:
    def audit(*nodes: dict[str, object]) -> list[str]:
        violation = {"id": "aria-allowed-attr", "impact": "critical", "help": "h"}
        return [
            v.rule
            for v in failing_violations({"violations": [{**violation, "nodes": list(nodes)}]})
        ]

    assert audit(_node(REVEALING_RADIO, 'aria-expanded="false"')) == []
    # Another attribute on the same radio, or aria-expanded anywhere else, still fails.
    assert audit(_node(REVEALING_RADIO, 'aria-checked="true"')) == ["aria-allowed-attr"]
    assert audit(_node(REVEALING_RADIO, 'aria-expanded="false"', 'aria-pressed="true"')) == [
        "aria-allowed-attr"
    ]
    plain_radio = '<input class="my-radio" type="radio" aria-controls="conditional-x">'
    assert audit(_node(plain_radio, 'aria-expanded="false"')) == ["aria-allowed-attr"]


def test_a_page_reached_without_an_audit_fails_the_journey(journey: Journey) -> None:
    journey.go("/")
    with journey.page.expect_navigation():
        journey.page.get_by_role("link", name="Accessibility statement").click()
    journey.page.wait_for_load_state()
    with pytest.raises(AssertionError, match=r"not audited: .*/accessibility"):
        journey.finish()
    journey.audit()  # leave the journey clean for its own teardown check
    journey.unaudited.clear()
