"""Self-assessment: the latest framework, prefilled from the profile, scored by the engine."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from fractions import Fraction
from html import unescape
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from criteria.engine import score_round
from criteria.improvement import improvement_advice, points_text
from criteria.inputs import Bid as EngineBid
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import csrf_token_of
from tests.webapp.provider.page_forms import read_form, session_csrf_token
from webapp.extensions import db
from webapp.models import EvidenceFile, Organisation, Role, SelfAssessment, User
from webapp.services.frameworks import framework_of, latest_builtin
from webapp.services.self_assessments import (
    EVALUATOR_MARKED,
    score_self_assessment,
)

HOME = "/provider/self-assessment"
RESULTS = "/provider/self-assessment/results"
STAFF = [Role.ADMIN, Role.COMMISSIONER, Role.EVALUATOR, Role.BOARD]
ASSESSED = ["fair_work", "local_ownership", "social_value", "quality"]

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

FAIR_WORK: dict[str, Any] = {
    "fw_lowest_hourly_pay": "13.45",
    "fw_paid_travel_time": "yes",
    "fw_travel_arrangements": "Paid between every visit at the full hourly rate.",
    "fw_mileage_rate": "0.45",
    "fw_zero_hours_share": "10",
    "fw_guaranteed_hours_offer": "yes",
    "fw_sick_pay": "occupational",
    "fw_no_short_visits": "yes",
    "fw_training_in_work_time": "yes",
    "fw_continuity_of_worker": "70",
    "fw_staff_voice": ["recognised_union", "staff_forum"],
    "fw_union_name": "UNISON",
    "fw_ethical_care_charter": "stage_2",
    "fw_narrative": "We pay the Real Living Wage and recognise UNISON.",
}

KNOWN_ANSWERS: dict[str, Any] = {
    "fw_lowest_hourly_pay": "13.00",  # between the two living wages
    "fw_paid_travel_time": True,
    "fw_travel_arrangements": "Paid between visits.",
    "fw_mileage_rate": "0.25",
    "fw_zero_hours_share": "50",
    "fw_guaranteed_hours_offer": False,
    "fw_sick_pay": "statutory_only",
    "fw_no_short_visits": True,
    "fw_training_in_work_time": True,
    "fw_continuity_of_worker": "60",
    "fw_staff_voice": ["staff_forum"],
    "fw_ethical_care_charter": "stage_1",
    "lo_ownership_form": "independent_sme",
    "lo_registered_office": "WN1 1AA",
    "lo_local_staff_share": "50",
    "lo_local_supply_spend": "20",
    "lo_profit_extraction": "5",
    "sv_local_jobs": "3",
    "sv_apprenticeships": 1,
    "sv_volunteering_hours": 0,
    "sv_carbon_plan": "plan",
    "q_cqc_registered": True,
    "q_cqc_provider_id": "1-123456789",
    "q_cqc_rating": "good",
    "q_person_centred": "We write every care plan with the person.",
}


def section_url(section_id: str) -> str:
    return f"/provider/self-assessment/sections/{section_id}"


@pytest.fixture
def provider(make_user: Callable[..., User], sign_in: Callable[[User], FlaskClient]) -> User:
    user = make_user(Role.PROVIDER)
    sign_in(user)
    return user


def assessments_of(app: Flask, user: User) -> list[SelfAssessment]:
    with app.app_context():
        found = list(
            db.session.scalars(
                sa.select(SelfAssessment).where(
                    SelfAssessment.organisation_id == user.organisation_id
                )
            )
        )
        for assessment in found:
            db.session.expunge(assessment)
        return found


def the_assessment(app: Flask, user: User) -> SelfAssessment:
    [assessment] = assessments_of(app, user)
    return assessment


def set_answers(app: Flask, user: User, answers: dict[str, Any]) -> None:
    with app.app_context():
        assessment = db.session.scalars(
            sa.select(SelfAssessment).where(SelfAssessment.organisation_id == user.organisation_id)
        ).one()
        assessment.answers = dict(answers)
        db.session.commit()


def post_section(
    client: FlaskClient,
    section_id: str,
    answers: dict[str, Any],
    *,
    action: str = "continue",
    version: int | None = None,
    token_page: str | None = None,
    files: dict[str, tuple[io.BytesIO, str]] | None = None,
) -> TestResponse:
    """Post a section page the way a browser would: its token and the version it showed."""
    url = section_url(section_id)
    page = client.get(token_page or url).get_data(as_text=True)
    shown = read_form(page)
    data: dict[str, Any] = {
        "csrf_token": shown.value("csrf_token") or csrf_token_of(client, url),
        "version": str(version) if version is not None else shown.value("version"),
        "action": action,
        **answers,
    }
    if files:
        data.update(files)
    return client.post(url, data=data)


# --- who may see it -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [HOME, RESULTS, section_url("fair_work")])
def test_an_anonymous_visitor_is_sent_to_sign_in(
    app: Flask, client: FlaskClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 302
    with app.test_request_context():
        assert response.headers["Location"].startswith(url_for("auth.sign_in"))


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize("path", [HOME, RESULTS, section_url("fair_work")])
def test_staff_have_no_self_assessment(
    client: FlaskClient,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
    role: Role,
    path: str,
) -> None:
    sign_in(make_user(role))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", STAFF)
def test_staff_cannot_post_a_section(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
    role: Role,
) -> None:
    sign_in(make_user(role))
    data = {"csrf_token": session_csrf_token(app, client), "version": "1", "action": "draft"}
    assert client.post(section_url("fair_work"), data=data).status_code == 403


# --- opening it ---------------------------------------------------------------------------------


def test_the_first_visit_creates_one_self_assessment_prefilled_from_the_profile(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    with app.app_context():
        organisation = db.session.get(Organisation, provider.organisation_id)
        assert organisation is not None
        organisation.legal_form = "cooperative"
        organisation.registered_postcode = "WN1 1AA"
        organisation.cqc_rating = "good"
        organisation.profile_answers = {"q_cqc_registered": True}
        db.session.commit()
    assert assessments_of(app, provider) == []
    page = parse_page(client.get(HOME))
    assert page.status_code == 200
    assert page.h1s == ["Self-assessment"]
    client.get(HOME)
    assessment = the_assessment(app, provider)
    assert assessment.answers == {
        "lo_ownership_form": "cooperative",
        "lo_registered_office": "WN1 1AA",
        "q_cqc_registered": True,
        "q_cqc_rating": "good",
    }
    with app.app_context():
        assert assessment.framework_version_id == latest_builtin().id


def test_the_prefilled_answers_show_in_the_section_form(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    with app.app_context():
        organisation = db.session.get(Organisation, provider.organisation_id)
        assert organisation is not None
        organisation.legal_form = "charity"
        organisation.registered_postcode = "M29 7AA"
        db.session.commit()
    form = read_form(client.get(section_url("local_ownership")).get_data(as_text=True))
    assert form.value("lo_ownership_form") == "charity"
    assert form.value("lo_registered_office") == "M29 7AA"


def test_the_task_list_has_every_section_but_price(client: FlaskClient, provider: User) -> None:
    response = client.get(HOME)
    page = parse_page(response)
    links = [link for link in page.links if "/self-assessment/sections/" in link]
    assert links == [section_url(s) for s in ASSESSED]
    assert "govuk-task-list" in page.classes
    assert RESULTS in page.links
    assert "Not started" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", [HOME, RESULTS, *[section_url(s) for s in ASSESSED]])
def test_self_assessment_pages_have_one_heading_and_unique_ids(
    client: FlaskClient, provider: User, path: str
) -> None:
    page = parse_page(client.get(path))
    assert page.status_code == 200
    assert len(page.h1s) == 1
    assert page.duplicate_ids == []


def test_a_section_says_which_questions_evaluators_mark(
    client: FlaskClient, provider: User
) -> None:
    html = unescape(client.get(section_url("quality")).get_data(as_text=True))
    note = html.split('id="marked-by-evaluators"', 1)[1].split("</div>", 1)[0]
    assert "Marked by evaluators in a tender: not scored here" in note
    assert note.count("<li>") == 2  # person-centred care and safeguarding
    assert "How do you keep people safe from abuse and neglect" in note
    assert "registered with the Care Quality Commission" not in note


def test_an_incomplete_profile_is_pointed_out(client: FlaskClient, provider: User) -> None:
    page = parse_page(client.get(HOME))
    assert "profile-incomplete" in page.ids
    assert "/provider/profile" in page.links


@pytest.mark.parametrize("section_id", ["price", "no_such_section"])
def test_price_and_unknown_sections_are_not_found(
    client: FlaskClient, provider: User, section_id: str
) -> None:
    assert client.get(section_url(section_id)).status_code == 404


def test_each_organisation_has_its_own_self_assessment(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
) -> None:
    first, second = make_user(Role.PROVIDER), make_user(Role.PROVIDER)
    sign_in(first)
    post_section(client, "fair_work", FAIR_WORK)
    sign_in(second)
    form = read_form(client.get(section_url("fair_work")).get_data(as_text=True))
    assert form.value("fw_lowest_hourly_pay") == ""
    assert the_assessment(app, second).answers == {}
    assert the_assessment(app, first).answers["fw_lowest_hourly_pay"] == "13.45"


# --- saving sections ------------------------------------------------------------------------------


def test_save_and_continue_saves_and_goes_to_the_next_section(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    response = post_section(client, "fair_work", FAIR_WORK)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(section_url("local_ownership"))
    answers = the_assessment(app, provider).answers
    assert answers["fw_lowest_hourly_pay"] == "13.45"
    assert answers["fw_paid_travel_time"] is True
    assert answers["fw_staff_voice"] == ["recognised_union", "staff_forum"]
    assert answers["fw_union_name"] == "UNISON"
    html = client.get(HOME).get_data(as_text=True)
    assert "You have completed 1 of 4 sections" in html


def test_the_last_section_returns_to_the_task_list(client: FlaskClient, provider: User) -> None:
    response = post_section(client, "quality", {"q_cqc_rating": "good"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(HOME)


def test_save_as_draft_returns_to_the_task_list_with_a_message(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    response = post_section(client, "social_value", {"sv_local_jobs": "2.5"}, action="draft")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(HOME)
    html = client.get(HOME).get_data(as_text=True)
    assert "Your answers to “Social value” have been saved." in unescape(html)
    assert "In progress" in html
    assert the_assessment(app, provider).answers == {"sv_local_jobs": "2.5"}


def test_an_answer_that_cannot_be_used_is_explained_and_the_rest_saved(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    response = post_section(
        client,
        "fair_work",
        {**FAIR_WORK, "fw_lowest_hourly_pay": "about thirteen pounds"},
    )
    page = parse_page(response)
    form = read_form(response.get_data(as_text=True))
    assert response.status_code == 200
    assert page.title.startswith("Error: ")
    assert [href for href, _ in form.error_links] == ["#fw_lowest_hourly_pay"]
    assert form.value("fw_lowest_hourly_pay") == "about thirteen pounds"
    answers = the_assessment(app, provider).answers
    assert "fw_lowest_hourly_pay" not in answers
    assert answers["fw_mileage_rate"] == "0.45"


def test_unanswered_questions_are_not_errors_in_a_self_assessment(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    response = post_section(client, "fair_work", {"fw_lowest_hourly_pay": "14"})
    assert response.status_code == 302
    assert the_assessment(app, provider).answers == {"fw_lowest_hourly_pay": "14"}


def test_a_stale_page_is_a_conflict_that_saves_nothing_and_keeps_what_was_typed(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    client.get(HOME)
    opened_at = the_assessment(app, provider).version
    # Another tab saves first.
    assert post_section(client, "fair_work", {"fw_lowest_hourly_pay": "13.45"}).status_code == 302
    saved_version = the_assessment(app, provider).version
    assert saved_version != opened_at
    # The first tab, still at the old version, saves.
    response = post_section(
        client, "fair_work", {"fw_lowest_hourly_pay": "15.00"}, version=opened_at
    )
    html = response.get_data(as_text=True)
    form = read_form(html)
    assert response.status_code == 409
    assert "changed in another tab or by a colleague" in html
    assert parse_page(response).title.startswith("Error: ")
    assert form.value("fw_lowest_hourly_pay") == "15.00"
    assert form.value("version") == str(saved_version)
    assessment = the_assessment(app, provider)
    assert assessment.answers == {"fw_lowest_hourly_pay": "13.45"}
    assert assessment.version == saved_version
    # Saving again from the conflict page, now at the current version, works.
    again = post_section(client, "fair_work", {"fw_lowest_hourly_pay": "15.00"})
    assert again.status_code == 302
    assert the_assessment(app, provider).answers == {"fw_lowest_hourly_pay": "15.00"}


def test_a_post_without_a_version_is_treated_as_stale(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    client.get(HOME)
    url = section_url("fair_work")
    response = client.post(
        url,
        data={"csrf_token": csrf_token_of(client, url), "fw_lowest_hourly_pay": "14"},
    )
    assert response.status_code == 409
    assert the_assessment(app, provider).answers == {}


def test_a_supporting_document_is_kept_with_the_self_assessment(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    response = post_section(
        client,
        "fair_work",
        {"fw_lowest_hourly_pay": "13.45"},
        action="draft",
        files={"fw_lowest_hourly_pay-evidence": (io.BytesIO(PDF_BYTES), "payroll.pdf")},
    )
    assert response.status_code == 302
    assessment = the_assessment(app, provider)
    with app.app_context():
        [document] = db.session.scalars(sa.select(EvidenceFile)).all()
        assert document.self_assessment_id == assessment.id
        assert document.organisation_id == provider.organisation_id
        assert document.criterion_id == "fw_lowest_hourly_pay"
        assert document.bid_id is None
    html = client.get(section_url("fair_work")).get_data(as_text=True)
    assert "Current file: payroll.pdf" in html


def test_a_refused_document_is_an_error_on_its_field(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    response = post_section(
        client,
        "fair_work",
        {"fw_lowest_hourly_pay": "13.45"},
        files={"fw_lowest_hourly_pay-evidence": (io.BytesIO(b"MZ\x90\x00" * 40), "pay.pdf")},
    )
    form = read_form(response.get_data(as_text=True))
    assert response.status_code == 200
    [(href, text)] = form.error_links
    assert href.startswith("#fw_lowest_hourly_pay-evidence")
    assert text.startswith("The selected file must be a PDF")
    assert the_assessment(app, provider).answers == {"fw_lowest_hourly_pay": "13.45"}
    with app.app_context():
        assert db.session.scalars(sa.select(EvidenceFile)).all() == []


# --- results --------------------------------------------------------------------------------------


def engine_result(app: Flask, answers: dict[str, Any]) -> Any:
    with app.app_context():
        framework = framework_of(latest_builtin())
    bid = EngineBid(id="mine", name="Mine", answers=answers)
    return framework, score_round(framework, [bid]).bid("mine")


def auto_scored(score: Any) -> bool:
    return score.rule not in ("evaluator_scale",) and not score.rule.startswith("price")


def test_results_numbers_are_the_engines_for_a_known_set_of_answers(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    client.get(HOME)
    set_answers(app, provider, KNOWN_ANSWERS)
    framework, expected = engine_result(app, KNOWN_ANSWERS)
    asked = [s for s in expected.criteria if s.status != "not_applicable"]
    earned = sum((s.contribution for s in asked if auto_scored(s)), Fraction(0))
    available = sum((s.weight for s in asked if auto_scored(s)), Fraction(0))
    evaluator = sum((s.weight for s in asked if s.rule == "evaluator_scale"), Fraction(0))
    assert earned == expected.total  # evaluator-marked and price contribute nothing here
    # Fair work 30 x 60% x 85%, ownership 30 x 40% x 85%, social value 10 x 60%, quality 40 x 25%
    assert available == Fraction("41.5")
    assert evaluator == Fraction("38.5")  # the rest of the 100 points, less 20 for price

    response = client.get(RESULTS)
    html = unescape(response.get_data(as_text=True))
    page = parse_page(response)
    assert page.h1s == ["Your self-assessment results"]
    total = " ".join(re.search(r'id="total-score">(.*?)</p>', html, re.S).group(1).split())
    assert f"{points_text(earned)} of the {points_text(available)} points" in total
    assert f"({points_text(earned / available * 100)}%)" in total
    for pillar in framework.award.pillars:
        row = re.search(rf'id="pillar-{pillar.id}">(.*?)</tr>', html, re.S).group(1)
        scores = [s for s in asked if s.pillar_id == pillar.id and auto_scored(s)]
        if pillar.id == "price":
            assert "Not scored here" in row
            continue
        assert points_text(sum((s.contribution for s in scores), Fraction(0))) in row


def test_each_criterion_shows_its_points_or_why_it_has_none(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    client.get(HOME)
    set_answers(app, provider, KNOWN_ANSWERS)
    _, expected = engine_result(app, KNOWN_ANSWERS)
    html = unescape(client.get(RESULTS).get_data(as_text=True))

    def row(criterion_id: str) -> str:
        found = re.search(rf'id="criterion-{criterion_id}">(.*?)</tr>', html, re.S)
        assert found, criterion_id
        return " ".join(found.group(1).split())

    pay = expected.criterion("fw_lowest_hourly_pay")
    assert f"{points_text(pay.contribution)} of {points_text(pay.weight)} points" in row(
        "fw_lowest_hourly_pay"
    )
    assert EVALUATOR_MARKED in row("q_person_centred")  # answered
    assert EVALUATOR_MARKED in row("fw_narrative")  # not answered
    assert "Requirement met" in row("q_cqc_registered")
    assert "pr_hourly_rate" not in html  # price is not asked, nor scored


def test_advice_lists_the_largest_gains_first_with_points_available(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    client.get(HOME)
    set_answers(app, provider, KNOWN_ANSWERS)
    framework, expected = engine_result(app, KNOWN_ANSWERS)
    # The engine's own advice, less the missing price (never asked here) and the questions
    # evaluators mark (advised separately).
    engine_advice = [
        a
        for a in improvement_advice(framework, expected)
        if a.kind == "criterion" and not a.evaluator_marked
    ]
    with app.app_context():
        assessment = db.session.get(SelfAssessment, the_assessment(app, provider).id)
        assert assessment is not None
        results = score_self_assessment(assessment)
    gains = [a.points_available for a in results.advice]
    assert gains == sorted(gains, reverse=True)
    assert [a.criterion_id for a in results.advice] == [a.criterion_id for a in engine_advice]
    assert all(a.kind == "criterion" for a in results.advice)  # nothing excludes these answers

    html = unescape(client.get(RESULTS).get_data(as_text=True))
    section = html.split('id="advice-list"', 1)[1].split("</ol>", 1)[0]
    shown = re.findall(r"Up to ([\d.]+) more points?<", section)
    assert shown == [points_text(g) for g in gains]
    first = results.advice[0]
    assert section.index(first.prompt or "") < section.index(results.advice[1].prompt or "")
    assert "The changes that would raise your score most" in html


def test_evaluator_marked_questions_are_advised_separately_and_not_scored(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    client.get(HOME)
    set_answers(app, provider, KNOWN_ANSWERS)
    html = unescape(client.get(RESULTS).get_data(as_text=True))
    separate = html.split('id="evaluator-advice-list"', 1)[1].split("</ul>", 1)[0]
    assert "How do you keep people safe from abuse and neglect" in separate
    assert "Worth up to 14 points out of 100" in separate  # safeguarding: 40 x 35%
    advice = html.split('id="advice-list"', 1)[1].split("</ol>", 1)[0]
    assert "How do you keep people safe from abuse and neglect" not in advice


def test_gates_that_would_exclude_a_bid_are_said_in_plain_words(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    client.get(HOME)
    failing = {
        **KNOWN_ANSWERS,
        "fw_lowest_hourly_pay": "11.00",
        "q_cqc_rating": "inadequate",
        "fw_no_short_visits": False,
    }
    set_answers(app, provider, failing)
    html = " ".join(unescape(client.get(RESULTS).get_data(as_text=True)).split())
    reasons = html.split('id="exclusion-reasons">', 1)[1].split("</ul>", 1)[0]
    assert "A tender bid with these answers would be excluded" in html
    assert "below the National Living Wage" in reasons
    assert "rated Inadequate by the CQC" in reasons
    assert reasons.count("<li>") == 3
    advice = html.split('id="advice-list"', 1)[1].split("</ol>", 1)[0]
    assert "A tender bid would be excluded: The lowest hourly pay" in advice
    assert "This excluded your bid" not in advice
    assert "price" not in reasons.lower()  # no price is asked, so none is missing


def test_minimums_that_need_evaluators_marks_do_not_exclude_a_self_assessment(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    client.get(HOME)
    set_answers(app, provider, {**KNOWN_ANSWERS, "q_person_centred": ""})
    html = unescape(client.get(RESULTS).get_data(as_text=True))
    assert 'id="no-exclusions"' in html
    assert "Minimum scores that count answers marked by evaluators are checked in a tender" in html


def test_results_of_an_empty_self_assessment_still_explain_themselves(
    client: FlaskClient, provider: User
) -> None:
    response = client.get(RESULTS)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "You scored" in html
    assert "must be registered with the CQC" in html  # an unanswered gate fails
    assert parse_page(response).duplicate_ids == []


# --- what is left to do -------------------------------------------------------------------------


def prompt_of(app: Flask, criterion_id: str) -> str:
    with app.app_context():
        return framework_of(latest_builtin()).criteria[criterion_id].prompt


def task_list_item(html: str, section_id: str) -> str:
    """The task list row that links to the section."""
    link = html.index(f'href="{section_url(section_id)}"')
    start = html.rindex('<li class="govuk-task-list__item', 0, link)
    return " ".join(html[start : html.index("</li>", link)].split())


def test_an_in_progress_section_says_which_questions_are_left(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    client.get(HOME)
    unanswered = {"fw_sick_pay", "fw_zero_hours_share"}
    set_answers(app, provider, {k: v for k, v in FAIR_WORK.items() if k not in unanswered})
    html = unescape(client.get(HOME).get_data(as_text=True))
    item = task_list_item(html, "fair_work")
    assert "In progress" in item
    zero_hours, sick_pay = prompt_of(app, "fw_zero_hours_share"), prompt_of(app, "fw_sick_pay")
    assert f"2 questions left: “{zero_hours}”; “{sick_pay}”." in item
    # The hint is tied to its task for screen readers.
    assert 'aria-describedby="self-assessment-1-hint' in item
    # Sections not started, or completed, list nothing.
    assert "left:" not in task_list_item(html, "quality")


def test_an_in_progress_section_names_a_missing_required_document(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    client.get(HOME)
    set_answers(app, provider, {"q_cqc_registered": True, "q_safeguarding": "Trained staff."})
    item = task_list_item(unescape(client.get(HOME).get_data(as_text=True)), "quality")
    assert f"1 document left: for “{prompt_of(app, 'q_safeguarding')}”." in item


def test_the_results_name_the_sections_not_finished(
    app: Flask, client: FlaskClient, provider: User
) -> None:
    client.get(HOME)
    set_answers(app, provider, {k: v for k, v in FAIR_WORK.items() if k != "fw_sick_pay"})
    html = unescape(client.get(RESULTS).get_data(as_text=True))
    unfinished = " ".join(re.search(r'id="unfinished">(.*?)</div>', html, re.S).group(1).split())
    assert "You have not finished 4 sections of your self-assessment." in unfinished
    assert "Fair work</a> (in progress): 1 question left:" in unfinished
    assert f'href="{section_url("quality")}"' in unfinished
    assert "(not started)" in unfinished
