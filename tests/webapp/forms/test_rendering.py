"""A built form shown the GOV.UK way: the right control per answer type, revealed follow-ups,
and an error summary whose links land on real inputs."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from criteria.catalogue import builtin_paths
from criteria.loader import load_framework_text
from criteria.model import Framework
from tests.webapp.forms.conftest import Html, read_html
from webapp.forms.builder import answers_from_form, field_name, form_for_section
from webapp.forms.rendering import REQUIRED_DOCUMENT, error_summary_items, section_questions

pytestmark = pytest.mark.usefixtures("form_app")


def rendered(
    framework: Framework,
    section: str = "basics",
    answers: dict[str, Any] | None = None,
    *,
    form: Any = None,
    attachments: dict[str, str] | None = None,
) -> Html:
    form = form or form_for_section(framework, section, answers or {}, attachments=attachments)
    html = Markup("").join(q.render() for q in section_questions(framework, section, form))
    return read_html(str(html))


@pytest.fixture(scope="module")
def ethical_care() -> Framework:
    path = next(p for p in builtin_paths() if p.stem == "ethical-care")
    return load_framework_text(path.read_text(encoding="utf-8"), path.name)


def test_each_answer_type_gets_its_gov_uk_control(every_type: Framework) -> None:
    page = rendered(every_type)
    assert [e.attrs["value"] for e in page.named("registered")] == ["yes", "no"]
    assert {e.attrs["type"] for e in page.named("registered")} == {"radio"}
    assert page.by_id("staff").attrs["inputmode"] == "numeric"
    assert page.by_id("hourly_rate").attrs["inputmode"] == "decimal"
    assert [e.attrs["value"] for e in page.named("ownership")] == ["coop", "group", "fund"]
    assert {e.attrs["type"] for e in page.named("voice")} == {"checkbox"}
    assert page.by_id("plan").tag == "textarea"
    assert page.by_id("office").attrs["autocomplete"] == "postal-code"
    assert [e.attrs["id"] for e in page.named("started")] == [
        "started-day",
        "started-month",
        "started-year",
    ]
    assert page.by_id("policy").attrs["type"] == "file"
    assert page.by_id("plan-evidence").attrs["type"] == "file"


def test_money_has_a_pound_prefix_and_percentages_a_percent_suffix(every_type: Framework) -> None:
    html = str(
        Markup("").join(
            q.render()
            for q in section_questions(
                every_type, "basics", form_for_section(every_type, "basics", {})
            )
        )
    )
    assert '<div class="govuk-input__prefix" aria-hidden="true">£</div>' in html
    assert '<div class="govuk-input__suffix" aria-hidden="true">%</div>' in html


def test_narratives_count_words_up_to_max_words(every_type: Framework) -> None:
    page = rendered(every_type)
    counters = [e for e in page.elements if e.attrs.get("data-module") == "govuk-character-count"]
    assert [c.attrs["data-maxwords"] for c in counters] == ["10"]
    assert page.by_id("plan-info")  # "You can enter up to 10 words"


def test_a_short_text_answer_is_a_one_line_input_without_a_word_count(
    every_type: Framework,
) -> None:
    page = rendered(every_type)
    field = page.by_id("registration_number")
    assert (field.tag, field.attrs["type"]) == ("input", "text")
    assert "registration_number-info" not in page.ids


def test_the_cqc_provider_id_is_a_short_text_input(ethical_care: Framework) -> None:
    assert ethical_care.criteria["q_cqc_provider_id"].type == "text"
    page = rendered(ethical_care, "quality")
    field = page.by_id("q_cqc_provider_id")
    assert (field.tag, field.attrs["type"]) == ("input", "text")
    assert "govuk-input--width-20" in field.attrs["class"]


def test_prompts_are_medium_labels_or_legends_with_their_hints(every_type: Framework) -> None:
    page = rendered(every_type)
    label = next(e for e in page.elements if e.tag == "label" and e.attrs.get("for") == "staff")
    assert "govuk-label--m" in label.attrs["class"]
    legends = [e for e in page.elements if e.tag == "legend"]
    assert all("govuk-fieldset__legend--m" in e.attrs["class"] for e in legends)
    assert page.by_id("registered-hint")
    assert page.by_id("ownership-item-hint")  # a choice's own hint
    assert "ownership-hint" not in page.ids  # no empty hint for a question without one


def test_a_follow_up_is_revealed_under_the_one_option_that_asks_it(every_type: Framework) -> None:
    page = rendered(every_type)
    assert "conditional-registered" in page.by_id("registration_number").inside
    assert page.by_id("registered").attrs["data-aria-controls"] == "conditional-registered"
    assert "conditional-voice" in page.by_id("union_name").inside
    # Revealed questions are smaller than the page's own questions.
    label = next(
        e for e in page.elements if e.tag == "label" and e.attrs.get("for") == "union_name"
    )
    assert "govuk-label--s" in label.attrs["class"]


def test_a_follow_up_asked_by_several_options_is_shown_with_when_it_applies(
    every_type: Framework,
) -> None:
    page = rendered(every_type, answers={"ownership": "group"})
    owner = page.by_id("owner_name")
    assert not [i for i in owner.inside if i.startswith("conditional-")]
    assert owner.attrs["aria-describedby"] == "owner_name-hint"
    wrapper = page.by_id("follow-up-owner_name")
    assert "hidden" not in wrapper.attrs
    assert "follow-up-owner_name" in owner.inside
    html = str(
        Markup("").join(
            q.render()
            for q in section_questions(
                every_type, "basics", form_for_section(every_type, "basics", {"ownership": "fund"})
            )
        )
    )
    assert "Answer this only if the answer to “Who owns you?” is one of A large group, A fund." in (
        html
    )


@pytest.mark.parametrize("answers", [{}, {"ownership": "coop"}])
def test_a_follow_up_asked_by_several_options_is_hidden_until_one_is_chosen(
    every_type: Framework, answers: dict[str, Any]
) -> None:
    page = rendered(every_type, answers=answers)
    wrapper = page.by_id("follow-up-owner_name")
    assert "hidden" in wrapper.attrs
    assert "follow-up-owner_name" in page.by_id("owner_name").inside
    # The page's script shows it as soon as one of the options that ask it is chosen.
    assert wrapper.attrs["data-app-follow-up"] == "ownership"
    assert wrapper.attrs["data-app-follow-up-values"] == "group fund"


def test_a_follow_up_is_shown_when_the_posted_answer_asks_it(every_type: Framework) -> None:
    form = form_for_section(
        every_type, "basics", {"ownership": "coop"}, MultiDict([("ownership", "fund")])
    )
    _, errors = answers_from_form(every_type, "basics", form, require_complete=True)
    assert errors["owner_name"] == "Enter your answer"
    page = rendered(every_type, form=form)
    assert "hidden" not in page.by_id("follow-up-owner_name").attrs


def test_the_parent_company_is_asked_only_of_owners_with_a_parent(
    ethical_care: Framework,
) -> None:
    def wrapper(ownership: str) -> dict[str, str]:
        page = rendered(ethical_care, "local_ownership", {"lo_ownership_form": ownership})
        return page.by_id("follow-up-lo_ultimate_owner").attrs

    for ownership in ("cooperative", "charity", "independent_sme"):
        assert "hidden" in wrapper(ownership), ownership
    for ownership in ("large_group", "private_equity", "offshore_parent"):
        assert "hidden" not in wrapper(ownership), ownership
    assert wrapper("cooperative")["data-app-follow-up-values"] == (
        "large_group private_equity offshore_parent"
    )


def test_yes_no_questions_without_follow_ups_are_inline(ethical_care: Framework) -> None:
    page = rendered(ethical_care, "fair_work")
    radios = [
        e
        for e in page.elements
        if e.attrs.get("data-module") == "govuk-radios" and "inline" in e.attrs.get("class", "")
    ]
    assert len(radios) == 3  # guaranteed hours, short visits, training: not paid travel
    assert "conditional-fw_paid_travel_time-2" in page.by_id("fw_travel_arrangements").inside


def test_stored_answers_show_as_chosen_and_typed(every_type: Framework) -> None:
    page = rendered(
        every_type,
        answers={"registered": True, "voice": ["forum"], "staff": 7, "started": "2026-04-01"},
    )
    assert "checked" in page.by_id("registered").attrs
    assert "checked" not in page.by_id("registered-2").attrs
    assert "checked" in page.by_id("voice-2").attrs
    assert page.by_id("staff").attrs["value"] == "7"
    assert [page.by_id(f"started-{p}").attrs["value"] for p in ("day", "month", "year")] == [
        "01",
        "04",
        "2026",
    ]


def test_an_attached_document_is_named_in_the_hint(every_type: Framework) -> None:
    form = form_for_section(every_type, "basics", {}, attachments={"plan": "plan-2026.pdf"})
    html = str(Markup("").join(q.render() for q in section_questions(every_type, "basics", form)))
    assert "Current file: plan-2026.pdf. Uploading a new file replaces it." in html


def test_errors_show_on_fields_and_summary_links_land_on_their_first_input(
    every_type: Framework,
) -> None:
    form = form_for_section(
        every_type,
        "basics",
        {},
        MultiDict(
            [
                ("registered", "yes"),
                ("staff", "twelve"),
                ("voice", "union"),
                ("started", "31"),
                ("started", "2"),
                ("started", "2026"),
            ]
        ),
    )
    _, errors = answers_from_form(every_type, "basics", form, require_complete=True)
    items = error_summary_items(form, errors)
    page = rendered(every_type, form=form)
    assert len(items) == len(errors) > 5
    for item in items:
        assert item["href"].removeprefix("#") in page.ids, item
    assert {"href": "#started-day", "text": "Enter a real date, like 27 3 2026"} in items
    assert {"href": "#ownership", "text": "Select one of the options"} in items
    assert {"href": "#plan-evidence", "text": "Select a supporting document to upload"} in items
    # The summary lists errors in page order.
    order = [i["href"] for i in items]
    assert order.index("#registration_number") < order.index("#staff") < order.index("#office")
    # Each field shows its message, and what was typed is kept.
    assert page.by_id("staff-error")
    assert page.by_id("staff").attrs["value"] == "twelve"
    assert page.by_id("started-day").attrs["value"] == "31"


@pytest.mark.parametrize("section", ["fair_work", "local_ownership", "social_value", "quality"])
def test_every_built_in_section_renders_with_unique_ids_and_every_question(
    ethical_care: Framework, section: str
) -> None:
    page = rendered(ethical_care, section)
    duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
    assert duplicates == []
    section_model = next(s for s in ethical_care.sections if s.id == section)
    for criterion in section_model.criteria:
        assert page.named(field_name(criterion.id)), criterion.id


def rendered_html(framework: Framework, section: str = "basics") -> str:
    form = form_for_section(framework, section, {})
    return " ".join(
        str(
            Markup("").join(q.render() for q in section_questions(framework, section, form))
        ).split()
    )


def label_text(html: str, field_id: str) -> str:
    found = re.search(rf'<label class="[^"]*" for="{field_id}">(.*?)</label>', html, re.S)
    assert found is not None, field_id
    return found.group(1).strip()


def test_optional_questions_are_marked_optional_and_required_ones_are_not(
    every_type: Framework,
) -> None:
    html = rendered_html(every_type)
    assert label_text(html, "vehicles") == "How many vehicles per worker? (optional)"
    assert label_text(html, "staff") == "How many staff do you employ?"
    assert "Attach your policy. (optional)" in html
    assert "Anything else? (optional)" in rendered_html(every_type, "extras")


def test_a_required_document_says_it_is_needed_and_an_optional_one_is_marked_optional(
    every_type: Framework, ethical_care: Framework
) -> None:
    html = rendered_html(every_type)
    assert label_text(html, "plan-evidence") == "Upload a supporting document"
    hint = re.search(r'id="plan-evidence-hint"[^>]*>(.*?)</div>', html, re.S)
    assert hint is not None
    assert "Your written plan.<br>" + REQUIRED_DOCUMENT in hint.group(1)

    fair_work = rendered_html(ethical_care, "fair_work")
    assert label_text(fair_work, "fw_lowest_hourly_pay-evidence") == (
        "Upload a supporting document (optional)"
    )
    assert REQUIRED_DOCUMENT not in fair_work
