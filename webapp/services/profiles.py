"""The organisation profile: facts a provider gives once and every bid reuses.

The profile is stored twice over, on purpose. The `Organisation` columns hold the facts
(legal name, ownership, registration numbers, CQC details, headcount, contact) for pages and
reports; `Organisation.profile_answers` holds the same facts as answers to the framework
criteria marked `profile: true`, keyed by criterion id, so a bid or self-assessment starts
with them filled in.

Which criterion a column answers is read from the framework, never hard-coded by id: the
profile single-choice criterion whose id mentions "ownership" is the legal form, the profile
postcode criterion is the registered office, and so on (`PROFILE_CRITERIA`). A framework
that asks none of these simply gets no prefill for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from criteria.answers import AnswerError, display_answer, normalise_postcode, parse_answer
from criteria.model import Choice, Criterion, Framework
from webapp.extensions import db
from webapp.models import Organisation, User
from webapp.services.frameworks import framework_of, latest_builtin

__all__ = [
    "PROFILE_CRITERIA",
    "ProfileChoices",
    "ProfileDetails",
    "details_of",
    "is_complete",
    "normalise_charity_number",
    "normalise_company_number",
    "normalise_cqc_provider_id",
    "normalise_phone",
    "normalise_registered_postcode",
    "organisation_of",
    "prefill_answers",
    "profile_choices",
    "profile_criteria",
    "profile_summary",
    "save_profile",
]


def _single_choice_named(word: str) -> Callable[[Criterion], bool]:
    return lambda criterion: criterion.type == "single_choice" and word in criterion.id


PROFILE_CRITERIA: dict[str, Callable[[Criterion], bool]] = {
    "legal_form": _single_choice_named("ownership"),
    "registered_postcode": lambda criterion: criterion.type == "postcode",
    "cqc_provider_id": lambda criterion: "cqc_provider_id" in criterion.id,
    "cqc_rating": _single_choice_named("cqc_rating"),
}
"""`Organisation` column -> how to recognise the framework's profile criterion it answers."""


@dataclass(frozen=True, slots=True)
class ProfileDetails:
    """The profile as typed and checked by the form: every value already normalised."""

    name: str
    legal_form: str
    company_number: str | None
    charity_number: str | None
    registered_postcode: str
    cqc_provider_id: str | None
    cqc_rating: str
    headcount: int
    contact_name: str
    contact_email: str
    contact_phone: str


@dataclass(frozen=True, slots=True)
class ProfileChoices:
    """The options the profile offers, from the framework's own criteria."""

    ownership: tuple[Choice, ...]
    ownership_hint: str | None
    cqc_rating: tuple[Choice, ...]

    def ownership_label(self, value: str | None) -> str | None:
        return next((c.label for c in self.ownership if c.value == value), value)

    def cqc_rating_label(self, value: str | None) -> str | None:
        return next((c.label for c in self.cqc_rating if c.value == value), value)


# --- the framework's profile criteria --------------------------------------------------------


def profile_criteria(framework: Framework) -> dict[str, Criterion]:
    """`Organisation` column -> the framework's profile criterion it answers (when asked)."""
    found: dict[str, Criterion] = {}
    profile = [c for c in framework.criteria.values() if c.profile]
    for column, matches in PROFILE_CRITERIA.items():
        criterion = next((c for c in profile if matches(c)), None)
        if criterion is not None:
            found[column] = criterion
    return found


def profile_choices() -> ProfileChoices:
    """The ownership and CQC rating options of the latest built-in framework."""
    criteria = profile_criteria(framework_of(latest_builtin()))
    ownership = criteria.get("legal_form")
    rating = criteria.get("cqc_rating")
    return ProfileChoices(
        ownership=tuple(ownership.choices or ()) if ownership else (),
        ownership_hint=ownership.hint if ownership else None,
        cqc_rating=tuple(rating.choices or ()) if rating else (),
    )


def prefill_answers(organisation: Organisation, framework: Framework) -> dict[str, Any]:
    """Answers to `framework`'s profile criteria from the organisation's profile.

    A column the framework asks about wins over a stored answer, so a changed profile shows
    up; other profile criteria (an ultimate owner, say) come from `profile_answers` by id.
    Values the framework's criterion would not accept are left out rather than prefilled.
    """
    stored = dict(organisation.profile_answers or {})
    mapped = profile_criteria(framework)
    for column, criterion in mapped.items():
        value = getattr(organisation, column)
        if value not in (None, ""):
            stored[criterion.id] = value
    answers: dict[str, Any] = {}
    for criterion in framework.criteria.values():
        if not criterion.profile or criterion.id not in stored:
            continue
        try:
            value = parse_answer(criterion, stored[criterion.id])
        except AnswerError:
            continue
        if value is not None:
            answers[criterion.id] = display_answer(value)
    return answers


# --- reading and saving ------------------------------------------------------------------------


def organisation_of(user: User) -> Organisation:
    """The signed-in provider's organisation; LookupError when the user has none."""
    organisation = (
        db.session.get(Organisation, user.organisation_id) if user.organisation_id else None
    )
    if organisation is None:
        raise LookupError(f"user {user.id} belongs to no organisation")
    return organisation


def details_of(organisation: Organisation) -> dict[str, Any]:
    """The profile's current values by field name, for a form to start from."""
    return {f.name: getattr(organisation, f.name) for f in fields(ProfileDetails)}


_REQUIRED = ("name", "legal_form", "registered_postcode", "cqc_rating", "headcount")


def is_complete(organisation: Organisation) -> bool:
    """Whether the facts every bid needs are there."""
    has_contact = organisation.contact_name and organisation.contact_email
    has_number = organisation.company_number or organisation.charity_number
    filled = all(getattr(organisation, name) not in (None, "") for name in _REQUIRED)
    return bool(filled and has_contact and has_number)


def save_profile(user: User, details: ProfileDetails) -> Organisation:
    """Save the user's organisation profile, and its answers to the framework's profile
    criteria, in one transaction. Answers the profile does not cover are kept."""
    organisation = organisation_of(user)
    for name, value in ((f.name, getattr(details, f.name)) for f in fields(ProfileDetails)):
        setattr(organisation, name, value)
    answers = dict(organisation.profile_answers or {})
    for column, criterion in profile_criteria(framework_of(latest_builtin())).items():
        value = getattr(organisation, column)
        if value in (None, ""):
            answers.pop(criterion.id, None)
        else:
            answers[criterion.id] = value
    organisation.profile_answers = answers  # a new dict, so the JSON column sees the change
    db.session.commit()
    return organisation


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One fact on the profile page: its label, the value shown and the form field it edits."""

    label: str
    value: str | None
    field: str


def profile_summary(organisation: Organisation) -> list[tuple[str, list[SummaryRow]]]:
    """The profile as headed groups of rows, in the order the page shows them."""
    choices = profile_choices()
    headcount = organisation.headcount
    return [
        (
            "Organisation",
            [
                SummaryRow("Legal name", organisation.name, "name"),
                SummaryRow(
                    "Ownership", choices.ownership_label(organisation.legal_form), "legal_form"
                ),
                SummaryRow("Company number", organisation.company_number, "company_number"),
                SummaryRow("Charity number", organisation.charity_number, "charity_number"),
                SummaryRow(
                    "Registered office postcode",
                    organisation.registered_postcode,
                    "registered_postcode",
                ),
                SummaryRow(
                    "Number of staff",
                    f"{headcount:,}" if headcount is not None else None,
                    "headcount",
                ),
            ],
        ),
        (
            "Care Quality Commission",
            [
                SummaryRow("CQC provider ID", organisation.cqc_provider_id, "cqc_provider_id"),
                SummaryRow(
                    "CQC rating", choices.cqc_rating_label(organisation.cqc_rating), "cqc_rating"
                ),
            ],
        ),
        (
            "Contact",
            [
                SummaryRow("Contact name", organisation.contact_name, "contact_name"),
                SummaryRow("Contact email address", organisation.contact_email, "contact_email"),
                SummaryRow("Contact telephone number", organisation.contact_phone, "contact_phone"),
            ],
        ),
    ]


# --- the formats of registration numbers ---------------------------------------------------------

_COMPANY_NUMBER = re.compile(r"^(\d{8}|[A-Z]{2}\d{6}|R\d{7})$")
_CHARITY_NUMBER = re.compile(r"^(\d{6,7}(-\d{1,2})?|SC0\d{5}|NIC?\d{5,6})$")
_CQC_PROVIDER_ID = re.compile(r"^1-\d{5,12}$")
_PHONE = re.compile(r"^\+?[\d ()-]+$")


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def normalise_company_number(text: str) -> str | None:
    """A Companies House number: 8 characters, like 01234567 or SC123456; else None."""
    number = _squeezed(text)
    return number if _COMPANY_NUMBER.match(number) else None


def normalise_charity_number(text: str) -> str | None:
    """A charity number in England and Wales (1123456), Scotland (SC012345) or Northern
    Ireland (NIC100001); else None."""
    number = _squeezed(text)
    return number if _CHARITY_NUMBER.match(number) else None


def normalise_cqc_provider_id(text: str) -> str | None:
    """A CQC provider ID: "1-" followed by digits, like 1-123456789; else None."""
    number = _squeezed(text)
    return number if _CQC_PROVIDER_ID.match(number) else None


def normalise_phone(text: str) -> str | None:
    """A UK phone number as typed (spaces kept) when it has 10 or 11 digits, or +44 and 9 or
    10 more; else None."""
    typed = " ".join(text.split())
    if not _PHONE.match(typed):
        return None
    digits = re.sub(r"\D", "", typed)
    if typed.startswith("+"):
        return typed if digits.startswith("44") and 11 <= len(digits) <= 12 else None
    return typed if digits.startswith("0") and 10 <= len(digits) <= 11 else None


def normalise_registered_postcode(text: str) -> str | None:
    """A full UK postcode, upper case with one space; else None."""
    return normalise_postcode(text)
