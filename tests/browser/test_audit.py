"""The audit itself: it must catch what it claims to catch, or the journeys prove nothing."""

from __future__ import annotations

import pytest

from tests.browser.journey import Journey, serious_violations

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


def test_only_serious_and_critical_violations_count() -> None:
    response = {
        "violations": [
            {"id": "region", "impact": "moderate", "help": "h", "nodes": [{"target": ["p"]}]},
            {"id": "image-alt", "impact": "critical", "help": "h", "nodes": [{"target": ["img"]}]},
            {"id": "label", "impact": "serious", "help": "h", "nodes": [{"target": ["#a"]}]},
        ]
    }
    assert [v.rule for v in serious_violations(response)] == ["image-alt", "label"]


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
            for v in serious_violations({"violations": [{**violation, "nodes": list(nodes)}]})
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
