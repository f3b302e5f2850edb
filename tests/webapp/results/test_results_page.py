"""The results page: who may see it, and what it shows, recomputed from the stored inputs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from criteria.agreement import agreement
from tests.webapp.award_world import CLOSES_AT, EVALUATED, FLAGGED, AwardWorld
from tests.webapp.board.states import evaluated, page_text, submitted
from tests.webapp.conftest import parse_page
from webapp.services.results import round_analysis, round_inputs, round_result


def results_url(award: AwardWorld) -> str:
    return f"/commissioning/rounds/{award.round_id}/results"


@pytest.mark.parametrize("who", ["commissioner", "admin"])
def test_managers_see_the_ranked_bids_with_pillar_scores(award: AwardWorld, who: str) -> None:
    evaluated(award)
    response = award.client_for(getattr(award, who)).get(results_url(award))
    page = parse_page(response)
    assert response.status_code == 200
    assert page.duplicate_ids == []
    text = page_text(response)
    with award.app.app_context():
        inputs = round_inputs(award.round())
        result = round_result(inputs)
        winner, second = result.ranked[0], result.ranked[1]
    assert f"Recommended: {winner.name}, with 79.09 points out of 100." in text
    assert f"It leads {second.name}, ranked second, by 0.57 points." in text
    assert "Ranked bids Rank Bid Total (out of 100) Quality (out of 40.00)" in text
    assert "1 Hollin Brook Care Co-operative 79.09 31.50 29.56 7.60 10.43" in text
    assert "Fair work 17.86 of 18.00" not in text  # sections are a table of their own
    assert "Hollin Brook Care Co-operative 17.86 of 18.00 11.70 of 12.00" in text
    assert f"Results computed from inputs {inputs.digest}" in text
    for key, bid_id in award.bid_ids.items():
        assert f"/commissioning/rounds/{award.round_id}/results/{bid_id}" in page.links, key


def test_the_robustness_panel_shows_first_place_chances_and_the_smallest_change(
    award: AwardWorld,
) -> None:
    evaluated(award)
    text = page_text(award.client_for(award.commissioner).get(results_url(award)))
    with award.app.app_context():
        inputs = round_inputs(award.round())
        analysis = round_analysis(inputs, round_result(inputs))
        chances = {award.bid(k).reference: k for k in award.bid_ids}
    assert set(analysis.first_place) == set(chances)
    assert "Hollin Brook Care Co-operative 63.2%" in text
    assert "Lantern Trust Home Support 36.8%" in text
    assert (
        "Lantern Trust Home Support would draw level with Hollin Brook Care Co-operative if the "
        "pillar weights moved by 3.77 percentage points in all" in text
    )
    assert "Quality 40.00 41.88" in text
    assert "Withdrawing any one bid would not reorder the others." in text
    assert "The price formula fixed_range is absolute" in text


def test_an_undecided_price_flag_says_a_decision_is_needed(award: AwardWorld) -> None:
    award.mark_all()
    text = page_text(award.client_for(award.commissioner).get(results_url(award)))
    assert "Meridian Crest Homecare Ltd: abnormally low price" in text
    assert text.count("Decision needed") == 2


def test_a_disregarded_price_excludes_the_bid_with_every_reason(award: AwardWorld) -> None:
    award.mark_all()
    award.decide_price_checks("disregard")
    text = page_text(award.client_for(award.commissioner).get(results_url(award)))
    assert "Meridian Crest Homecare Ltd: excluded" in text
    assert "Decision: bid disregarded. Decided to disregard after reading the reply." in text
    excluded = text[text.index("Meridian Crest Homecare Ltd: excluded") :]
    with award.app.app_context():
        bid = round_result(round_inputs(award.round())).bid(award.bid(FLAGGED).reference or "")
    assert bid.exclusions
    for exclusion in bid.exclusions:
        assert exclusion.reason in excluded


def test_bids_without_marks_await_evaluation(award: AwardWorld) -> None:
    text = page_text(award.client_for(award.commissioner).get(results_url(award)))
    assert "No bid is ranked yet." in text
    assert "Awaiting evaluation" in text
    assert f"Hollin Brook Care Co-operative: {len(EVALUATED)} questions still to mark" in text
    assert "There is no recommended bid: no bid is ranked." in text


def test_results_are_recomputed_from_the_stored_inputs_on_each_request(
    award: AwardWorld,
) -> None:
    evaluated(award)
    client = award.client_for(award.commissioner)
    before = page_text(client.get(results_url(award)))
    award.moderate("lantern-trust", EVALUATED[0], 5, "The panel agreed the evidence is strong.")
    after = page_text(client.get(results_url(award)))
    with award.app.app_context():
        digest = round_inputs(award.round()).digest
    assert digest in after
    assert digest not in before
    assert "79.09" in before
    assert before != after


def test_evaluator_agreement_shows_wide_spreads(award: AwardWorld) -> None:
    criterion = EVALUATED[0]
    award.mark_all(spread={("kestrel", criterion): (1, 3, 5)})
    award.decide_price_checks()
    text = page_text(award.client_for(award.commissioner).get(results_url(award)))
    with award.app.app_context():
        inputs = round_inputs(award.round())
        found = agreement(inputs.framework, inputs.marks, award.round().spread_threshold)
    first = found.criteria[0]
    assert first.criterion_id == criterion
    assert found.overall_alpha is not None
    assert first.alpha is not None
    assert f"Overall alpha: {found.overall_alpha:.2f}" in text
    assert (
        f"{first.prompt} {first.n_marks} 4 Kestrel Home Care (Employee Owned) Ltd (4) "
        f"{first.alpha:.2f}" in text
    )
    assert f"{found.criteria[1].prompt} {found.criteria[1].n_marks} 0 None 1.00" in text


def test_before_the_deadline_the_results_are_sealed(award: AwardWorld) -> None:
    award.now = CLOSES_AT - timedelta(hours=1)
    response = award.client_for(award.commissioner).get(results_url(award))
    text = page_text(response)
    assert response.status_code == 200
    assert "Bids are sealed" in text
    assert "Hollin Brook" not in text
    assert "Meridian" not in text


@pytest.mark.parametrize("who", ["evaluator", "provider"])
def test_evaluators_and_providers_are_refused_the_results(award: AwardWorld, who: str) -> None:
    evaluated(award)
    user = award.evaluators[0] if who == "evaluator" else award.providers[FLAGGED]
    response = award.client_for(user).get(results_url(award))
    assert response.status_code == 403
    assert "79.09" not in response.get_data(as_text=True)


def test_the_board_sees_the_results_only_once_they_are_submitted(award: AwardWorld) -> None:
    evaluated(award)
    client = award.client_for(award.board)
    assert client.get(results_url(award)).status_code == 403
    submitted(award)
    response = client.get(results_url(award))
    assert response.status_code == 200
    assert "Recommended: Hollin Brook Care Co-operative" in page_text(response)


def test_anonymous_visitors_are_sent_to_sign_in(award: AwardWorld) -> None:
    response = award.app.test_client().get(results_url(award))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_a_round_that_does_not_exist_is_not_found(award: AwardWorld) -> None:
    client = award.client_for(award.commissioner)
    assert client.get(f"/commissioning/rounds/{award.round_id + 99}/results").status_code == 404
