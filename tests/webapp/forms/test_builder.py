"""The form builder: one field per criterion, answers parsed by the domain, follow-ups, status."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage, MultiDict

from criteria.loader import load_framework_text
from criteria.model import ANSWER_TYPES, Framework
from webapp.forms.builder import (
    MISSING_DOCUMENT,
    SectionStatus,
    answers_from_form,
    field_name,
    form_for_section,
    merge_section_answers,
    section_form_class,
    section_status,
    uploaded_files,
    visible_criteria,
)
from webapp.forms.fields import FIELD_KINDS

pytestmark = pytest.mark.usefixtures("form_app")

COMPLETE_POST: list[tuple[str, Any]] = [
    ("registered", "yes"),
    ("registration_number", "AB-123"),
    ("staff", "12"),
    ("vehicles", ""),
    ("hourly_rate", "£24.50"),
    ("local_share", "85%"),
    ("ownership", "coop"),
    ("owner_name", ""),
    ("voice", "union"),
    ("voice", "forum"),
    ("union_name", "UNISON"),
    ("plan", "We train every worker in paid time."),
    ("office", "wn1 1aa"),
    ("started", "1"),
    ("started", "4"),
    ("started", "2026"),
]

COMPLETE_ANSWERS = {
    "registered": True,
    "registration_number": "AB-123",
    "staff": 12,
    "hourly_rate": "24.50",
    "local_share": "85",
    "ownership": "coop",
    "voice": ["union", "forum"],
    "union_name": "UNISON",
    "plan": "We train every worker in paid time.",
    "office": "WN1 1AA",
    "started": "2026-04-01",
}


def posted(
    framework: Framework,
    pairs: list[tuple[str, Any]],
    *,
    stored: dict[str, Any] | None = None,
    attachments: dict[str, str] | None = None,
    section: str = "basics",
) -> Any:
    return form_for_section(
        framework, section, stored or {}, MultiDict(pairs), attachments=attachments
    )


def replaced(pairs: list[tuple[str, Any]], name: str, *values: Any) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in pairs if k != name] + [(name, v) for v in values]


# --- classes -------------------------------------------------------------------------------


def test_every_answer_type_has_a_field_kind() -> None:
    assert set(FIELD_KINDS) == set(ANSWER_TYPES)


def test_a_section_form_has_a_field_per_criterion_and_one_per_document_asked(
    every_type: Framework,
) -> None:
    form = section_form_class(every_type, "basics")()
    criteria = [c.id for c in every_type.sections[0].criteria]
    assert [name for name in form._fields if name != "csrf_token"] == [
        *criteria[: criteria.index("plan") + 1],
        "plan-evidence",
        *criteria[criteria.index("plan") + 1 :],
    ]


def test_form_classes_are_built_once_per_framework_version_and_section(
    every_type: Framework,
) -> None:
    basics = section_form_class(every_type, "basics")
    assert section_form_class(every_type, "basics") is basics
    assert section_form_class(every_type, "extras") is not basics
    same_text = load_framework_text(
        (Path(__file__).parent / "every_type.yaml").read_text(encoding="utf-8"), "copy.yaml"
    )
    assert section_form_class(same_text, "basics") is basics  # same content hash
    changed = every_type.model_copy(update={"title": "Changed"})
    assert section_form_class(changed, "basics") is not basics


def test_an_unknown_section_is_a_key_error(every_type: Framework) -> None:
    with pytest.raises(KeyError):
        section_form_class(every_type, "nowhere")


def test_a_criterion_named_like_a_form_attribute_gets_a_safe_field_name() -> None:
    assert field_name("data") == "data-answer"
    assert field_name("validate") == "validate-answer"
    assert field_name("staff") == "staff"


# --- prefilled from stored answers ---------------------------------------------------------


def test_a_form_is_prefilled_from_the_stored_json_answers(every_type: Framework) -> None:
    form = form_for_section(every_type, "basics", COMPLETE_ANSWERS)
    assert form.registered.data == "yes"
    assert form.staff.data == "12"
    assert form.hourly_rate.data == "24.50"
    assert form.voice.data == ["union", "forum"]
    assert form.started.data.isoformat() == "2026-04-01"
    assert form.policy.data is None


# --- reading answers -------------------------------------------------------------------------


def test_complete_answers_parse_to_json_ready_values(every_type: Framework) -> None:
    answers, errors = answers_from_form(
        every_type,
        "basics",
        posted(every_type, COMPLETE_POST, attachments={"plan": "plan.pdf"}),
        require_complete=True,
    )
    assert errors == {}
    assert answers == COMPLETE_ANSWERS


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("registered", ["perhaps"], "Select yes or no"),
        ("staff", ["twelve"], "The number of staff must be a whole number, like 12"),
        ("staff", ["0"], "The number of staff must be between 1 and 1,000,000"),
        ("vehicles", ["lots"], "Your answer to “How many vehicles per worker?” must be a number"),
        ("hourly_rate", ["forty five pence"], "The hourly rate you charge must be an amount in"),
        ("hourly_rate", ["12.345"], "The hourly rate you charge must be in pounds and pence"),
        (
            "hourly_rate",
            ["999,999,999,999"],
            "The hourly rate you charge must be between £1 and £200",
        ),
        (
            "local_share",
            ["120"],
            "Your answer to “What share of staff live locally?” must be between 0% and 100%",
        ),
        ("ownership", ["mutual"], "Select one of the options: A co-operative, A large group"),
        ("voice", ["union", "choir"], "choir is not among the options"),
        ("registration_number", ["A" * 101], "Answer in 100 characters or fewer"),
        ("office", ["not a postcode"], "Enter a full UK postcode, like WN1 1AA"),
        ("started", ["31", "2", "2026"], "Enter a real date, like 27 3 2026"),
        ("started", ["1", "", "2026"], "Enter a real date, like 27 3 2026"),
    ],
)
def test_answers_that_cannot_be_used_get_the_domains_message(
    every_type: Framework, name: str, values: list[str], message: str
) -> None:
    form = posted(every_type, replaced(COMPLETE_POST, name, *values), attachments={"plan": "p"})
    for require_complete in (True, False):
        answers, errors = answers_from_form(
            every_type, "basics", form, require_complete=require_complete
        )
        assert list(errors) == [name]
        assert errors[name].startswith(message)
        assert name not in answers
    assert form[name].errors == [errors[name]]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("registered", "Select yes or no"),
        ("staff", "Enter the number of staff"),
        ("hourly_rate", "Enter the hourly rate you charge"),
        ("local_share", "Enter your answer to “What share of staff live locally?”"),
        ("ownership", "Select one of the options"),
        ("voice", "Select at least one of the options"),
        ("plan", "Enter your answer"),
        ("office", "Enter a full UK postcode, like WN1 1AA"),
        ("started", "Enter a date, like 27 3 2026"),
    ],
)
def test_required_questions_left_empty_are_errors_only_when_completing(
    every_type: Framework, name: str, message: str
) -> None:
    empty = [("started", ""), ("started", ""), ("started", "")] if name == "started" else []
    pairs = [(k, v) for k, v in COMPLETE_POST if k != name] + empty
    if name == "registered":
        pairs = [(k, v) for k, v in pairs if k != "registration_number"]
    form = posted(every_type, pairs, attachments={"plan": "p"})
    _, errors = answers_from_form(every_type, "basics", form, require_complete=True)
    assert errors == {name: message}
    answers, errors = answers_from_form(every_type, "basics", form, require_complete=False)
    assert errors == {}
    assert name not in answers


def test_optional_questions_may_be_left_empty(every_type: Framework) -> None:
    answers, errors = answers_from_form(
        every_type,
        "basics",
        posted(every_type, replaced(COMPLETE_POST, "union_name", ""), attachments={"plan": "p"}),
        require_complete=True,
    )
    assert errors == {}
    assert "union_name" not in answers
    assert "vehicles" not in answers


# --- follow-up questions (show_if) ---------------------------------------------------------


def test_a_follow_up_not_asked_is_neither_required_nor_kept(every_type: Framework) -> None:
    pairs = replaced(COMPLETE_POST, "registered", "no")  # registration_number still posted
    pairs = replaced(pairs, "voice", "forum")  # union_name still posted
    answers, errors = answers_from_form(
        every_type,
        "basics",
        posted(every_type, pairs, attachments={"plan": "p"}),
        require_complete=True,
    )
    assert errors == {}
    assert answers["registered"] is False
    assert "registration_number" not in answers
    assert "union_name" not in answers


def test_a_follow_up_asked_is_required(every_type: Framework) -> None:
    pairs = replaced(COMPLETE_POST, "ownership", "group")
    _, errors = answers_from_form(
        every_type,
        "basics",
        posted(every_type, pairs, attachments={"plan": "p"}),
        require_complete=True,
    )
    assert errors == {"owner_name": "Enter your answer"}


def test_visible_criteria_follow_the_parsed_answers(every_type: Framework) -> None:
    def asked(answers: dict[str, Any]) -> set[str]:
        return {c.id for c in visible_criteria(every_type, "basics", answers)}

    follow_ups = {"registration_number", "owner_name", "union_name"}
    assert asked({}) & follow_ups == set()
    assert asked({"registered": True}) & follow_ups == {"registration_number"}
    assert asked({"registered": "yes"}) & follow_ups == {"registration_number"}
    assert asked({"registered": "maybe"}) & follow_ups == set()  # unusable: not an answer
    assert asked({"ownership": "fund", "voice": ["union"]}) & follow_ups == {
        "owner_name",
        "union_name",
    }


# --- documents -------------------------------------------------------------------------------


def _pdf(name: str = "plan.pdf") -> FileStorage:
    return FileStorage(BytesIO(b"%PDF-1.4 test"), filename=name, content_type="application/pdf")


def test_a_required_document_must_be_attached_before_or_now(every_type: Framework) -> None:
    form = posted(every_type, COMPLETE_POST)
    _, errors = answers_from_form(every_type, "basics", form, require_complete=True)
    assert errors == {"plan-evidence": MISSING_DOCUMENT}
    _, errors = answers_from_form(every_type, "basics", form, require_complete=False)
    assert errors == {}

    form = posted(every_type, [*COMPLETE_POST, ("plan-evidence", _pdf())])
    _, errors = answers_from_form(every_type, "basics", form, require_complete=True)
    assert errors == {}


def test_uploaded_files_are_found_for_the_service_to_store(every_type: Framework) -> None:
    form = posted(
        every_type, [*COMPLETE_POST, ("plan-evidence", _pdf()), ("policy", _pdf("policy.pdf"))]
    )
    uploads = uploaded_files(every_type, "basics", form)
    assert [(u.criterion_id, u.field_name, u.is_answer) for u in uploads] == [
        ("plan", "plan-evidence", False),
        ("policy", "policy", True),
    ]
    assert uploads[1].file.filename == "policy.pdf"


def test_a_document_answer_already_stored_is_kept(every_type: Framework) -> None:
    form = posted(
        every_type, COMPLETE_POST, stored={"policy": "evidence:7"}, attachments={"plan": "p"}
    )
    answers, errors = answers_from_form(every_type, "basics", form, require_complete=True)
    assert errors == {}
    assert answers["policy"] == "evidence:7"


# --- saving a section into the stored answers ------------------------------------------------


def test_merging_replaces_the_section_and_keeps_the_rest(every_type: Framework) -> None:
    stored = {"comments": "Other section", "staff": 3, "registration_number": "OLD", "office": "X"}
    answers = {"registered": False, "staff": 5}
    merged = merge_section_answers(every_type, "basics", stored, answers, {})
    assert merged == {"comments": "Other section", "registered": False, "staff": 5}
    assert stored["staff"] == 3  # a new dict: the stored one is untouched


def test_merging_keeps_the_stored_answer_of_a_question_whose_new_answer_failed(
    every_type: Framework,
) -> None:
    stored = {"staff": 3, "office": "WN1 1AA"}
    merged = merge_section_answers(
        every_type, "basics", stored, {"registered": True}, {"staff": "Enter the number of staff"}
    )
    assert merged == {"registered": True, "staff": 3}


# --- status ----------------------------------------------------------------------------------


def test_section_status_from_stored_answers(every_type: Framework) -> None:
    assert section_status(every_type, "basics", {}) == SectionStatus.NOT_STARTED
    assert section_status(every_type, "basics", {"staff": 4}) == SectionStatus.IN_PROGRESS
    complete = dict(COMPLETE_ANSWERS)
    assert section_status(every_type, "basics", complete) == SectionStatus.IN_PROGRESS  # no plan
    assert (
        section_status(every_type, "basics", complete, {"plan": "plan.pdf"})
        == SectionStatus.COMPLETED
    )
    broken = {**complete, "staff": "lots"}
    assert section_status(every_type, "basics", broken, {"plan": "p"}) == SectionStatus.IN_PROGRESS
    follow_up_missing = {**complete, "ownership": "fund"}
    assert (
        section_status(every_type, "basics", follow_up_missing, {"plan": "p"})
        == SectionStatus.IN_PROGRESS
    )


def test_a_section_of_optional_questions_is_complete_from_the_start(
    every_type: Framework,
) -> None:
    assert section_status(every_type, "extras", {}) == SectionStatus.COMPLETED
    assert SectionStatus.COMPLETED == "completed"
    assert SectionStatus.NOT_STARTED.label == "Not started"


def test_forms_need_a_request_to_build(form_app: Flask, every_type: Framework) -> None:
    # The fixture's request context is what lets a FlaskForm make its CSRF token.
    form = form_for_section(every_type, "extras", {"comments": "Hello"})
    assert form.comments.data == "Hello"
    assert form.csrf_token.current_token
