"""The self-assessment report: its context, the example as a tagged PDF, and the command.

The example (a small homecare co-operative, partly answered) is rendered once, through the
`commonweal report self-assessment` command; a second rendering carries hostile text in the
organisation's name, to show it is printed as text and never fetched.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from criteria.improvement import points_text
from criteria.self_assessment import (
    LoadedSelfAssessment,
    SelfAssessmentResult,
    load_self_assessment,
    score_self_assessment,
)
from reports.cli import INVALID_INPUT, report
from reports.documents import SELF_ASSESSMENT, render_document, render_html
from reports.render import ASSETS, Rendering
from reports.self_assessment import self_assessment_context

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "self-assessment" / "pennyfield-care.yaml"
ORGANISATION = "Pennyfield Care Co-operative"
DATE = dt.date(2026, 5, 1)
PRINT_CSS = (ASSETS / "print.css").resolve().as_uri()
HOSTILE = 'Pennyfield <img src="http://127.0.0.1:9/x"> file:///etc/passwd <b>Care</b>'


@pytest.fixture(scope="module")
def loaded() -> LoadedSelfAssessment:
    return load_self_assessment(EXAMPLE)


@pytest.fixture(scope="module")
def outcome(loaded: LoadedSelfAssessment) -> SelfAssessmentResult:
    return score_self_assessment(loaded.framework, loaded.organisation, loaded.answers)


@pytest.fixture(scope="module")
def context(loaded: LoadedSelfAssessment, outcome: SelfAssessmentResult) -> dict[str, Any]:
    return self_assessment_context(
        loaded.framework, outcome, organisation=loaded.organisation, date=DATE
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    """The example's report, written by the command."""
    out = tmp_path_factory.mktemp("self-assessment") / "report.pdf"
    result = CliRunner().invoke(
        report, ["self-assessment", str(EXAMPLE), "-o", str(out), "--date", "2026-05-01"]
    )
    return result, out


@pytest.fixture(scope="module")
def pdf(written: tuple[Result, Path]) -> PdfReader:
    result, out = written
    assert result.exit_code == 0, result.output
    return PdfReader(io.BytesIO(out.read_bytes()))


def _text(reader: PdfReader) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _squashed(text: str) -> str:
    """Text without any whitespace: table cells wrap words across lines."""
    return re.sub(r"\s+", "", text)


def _structure(node: Any, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(structure type, alternative text) of every element in a tagged PDF's tree."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        for child in node:
            _structure(child, found)
    elif isinstance(node, DictionaryObject):
        if "/S" in node:
            found.append((str(node["/S"]), str(node.get("/Alt", ""))))
        if "/K" in node:
            _structure(node["/K"], found)
    return found


# --- the context ------------------------------------------------------------------------------


def test_reasons_and_advice_name_no_parameters(
    context: dict[str, Any], outcome: SelfAssessmentResult
) -> None:
    # The engine's own reasons do name parameters ($real_living_wage), so this is a real check.
    engine_text = [s.reason for scores in outcome.criteria.values() for s in scores]
    assert any("$" in text for text in engine_text)
    shown = [c["reason"] for section in context["sections"] for c in section["criteria"]]
    shown += context["exclusions"]
    shown += [a["message"] for a in context["advice"] + context["exclusions_advice"]]
    assert shown
    assert not [text for text in shown if "$" in text]


def test_context_names_the_organisation_framework_and_date(context: dict[str, Any]) -> None:
    assert context["organisation"] == ORGANISATION
    assert context["date"] == "1 May 2026"
    assert context["framework"]["title"].startswith("Ethical care")
    assert context["framework"]["version"] == "2026.1"
    assert context["framework"]["hash"].startswith("sha256:")


def test_context_numbers_are_the_outcomes_as_the_web_page_writes_them(
    context: dict[str, Any], outcome: SelfAssessmentResult
) -> None:
    total = context["total"]
    assert total["earned"] == points_text(outcome.total.earned) == "27.18"
    assert total["available"] == "41.5"
    assert total["percent"] == points_text(outcome.total.percent)
    assert (total["evaluator_points"], total["price_points"]) == ("38.5", "20")
    price = next(p for p in context["pillars"] if p["id"] == "price")
    assert not price["scored_here"]
    assert price["not_scored"] == "20"
    fair_work = next(s for s in context["sections"] if s["id"] == "fair_work")
    assert (fair_work["earned"], fair_work["available"]) == ("9.68", "15.3")
    assert [s["id"] for s in context["sections"]] == [s.id for s in outcome.sections]


def test_improvement_plan_is_ordered_by_points_to_gain(
    context: dict[str, Any], outcome: SelfAssessmentResult
) -> None:
    plan = context["advice"]
    assert [a["prompt"] for a in plan] == [a.prompt for a in outcome.advice]
    gains = [float(a["gain"]) for a in plan]
    assert gains == sorted(gains, reverse=True)
    assert plan[0]["prompt"].startswith("What is the current overall CQC rating")
    continuity = next(a for a in plan if "regular care workers" in a["prompt"])
    assert continuity["now"] == "Not answered"
    assert context["exclusions_advice"] == []


def test_written_answers_say_their_worth_and_whether_they_are_written(
    context: dict[str, Any],
) -> None:
    written = {a["prompt"][:30]: a for a in context["evaluator_advice"]}
    safeguarding = written["How do you keep people safe fr"]
    assert safeguarding["worth"] == "14 points"
    assert not safeguarding["answered"]
    assert not safeguarding["advice"].startswith("Evaluators mark this answer")
    assert written["How will you deliver care that"]["answered"]
    assert [p["label"] for p in context["scale"]["points"]][-1] == "Excellent"


def test_requirements_and_minimums_say_what_is_checked_here(context: dict[str, Any]) -> None:
    requirements = {r["prompt"][:40]: r for r in context["requirements"]}
    assert len(requirements) == 4
    assert all(r["met"] and r["status"] == "Met" for r in requirements.values())
    pay = requirements["What is the lowest hourly rate you pay a"]
    assert "National Living Wage" in pay["rule"]
    minimums = context["thresholds"]
    assert [m["checked_here"] for m in minimums] == [False, False, False]
    assert "must be marked at least 2 (Satisfactory)" in minimums[0]["text"]
    assert minimums[2]["text"] == "The Quality pillar must reach at least 50% of its points."


def test_a_failed_gate_leads_the_plan_and_the_next_steps(
    loaded: LoadedSelfAssessment,
) -> None:
    answers = {**loaded.answers, "q_cqc_rating": "inadequate"}
    failing = score_self_assessment(loaded.framework, ORGANISATION, answers)
    context = self_assessment_context(
        loaded.framework, failing, organisation=ORGANISATION, date=DATE
    )
    assert context["exclusions"] == [e.reason for e in failing.exclusions]
    assert "rated Inadequate" in context["exclusions_advice"][0]["message"]
    assert context["next_steps"][0].startswith("First meet every requirement")
    rating = next(r for r in context["requirements"] if "CQC rating" in r["prompt"])
    assert (rating["met"], rating["status"]) == (False, "Not met")


def test_next_steps_count_the_questions_still_blank(context: dict[str, Any]) -> None:
    assert context["next_steps"][0] == (
        "Answer the 6 questions still blank: an unanswered question scores 0."
    )


def test_chart_bars_are_in_proportion_and_described_in_words(context: dict[str, Any]) -> None:
    chart = context["chart"]
    bars = {b["title"]: b for b in chart["bars"]}
    quality = bars["Quality"]  # the widest pillar: 40 points fill the chart
    assert float(quality["end_x"]) == chart["width"]
    assert float(quality["earned"]) == pytest.approx(chart["width"] * 7.5 / 40, abs=0.1)
    assert bars["Price"]["label"] == "Not scored here"
    assert (
        "Quality: 7.5 of the 10 points scored here, 30 points not scored here"
        in (chart["description"])
    )


def test_user_text_is_escaped_in_the_html(
    loaded: LoadedSelfAssessment, outcome: SelfAssessmentResult
) -> None:
    context = self_assessment_context(loaded.framework, outcome, organisation=HOSTILE, date=DATE)
    html = render_html(SELF_ASSESSMENT, context)
    assert "<img" not in html.split("<body>", 1)[1]
    assert "&lt;img src=&#34;http://127.0.0.1:9/x&#34;&gt;" in html


# --- the PDF ----------------------------------------------------------------------------------


def test_the_command_writes_the_report_without_renderer_warnings(
    written: tuple[Result, Path],
) -> None:
    result, out = written
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    assert "Renderer warning" not in result.output


def test_the_pdf_is_tagged_titled_in_british_english_and_a_sane_length(pdf: PdfReader) -> None:
    catalog = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "en-GB"
    assert pdf.metadata is not None
    assert pdf.metadata.title == f"Self-assessment report for {ORGANISATION}"
    assert 4 <= len(pdf.pages) <= 8
    elements = _structure(catalog["/StructTreeRoot"], [])
    kinds = {kind for kind, _ in elements}
    assert {"/H1", "/H2", "/Table", "/TH", "/Figure"} <= kinds
    figures = [alt for kind, alt in elements if kind == "/Figure"]
    assert any(alt.startswith("Points by pillar. Quality: 7.5 of the 10") for alt in figures)


def test_the_pdf_shows_the_scores_the_plan_and_what_evaluators_look_for(
    pdf: PdfReader, outcome: SelfAssessmentResult
) -> None:
    text = _text(pdf)
    squashed = _squashed(text)
    assert ORGANISATION in text
    assert "1 May 2026" in text
    assert "You scored 27.18 of the 41.5 points a self-assessment can award (65.49%)." in text
    assert "38.5 points are for written answers that evaluators mark" in text
    assert "20 points are for price" in text
    for heading in (
        "Your score by pillar and section",
        "Requirements every bid must meet",
        "Your improvement plan",
        "Written answers evaluators mark",
        "Next steps",
    ):
        assert heading in text
    for advice in outcome.advice:
        assert _squashed(advice.prompt or "") in squashed
    assert _squashed("Fair work: 9.68 of 15.3 points scored here") in squashed
    assert _squashed("A full answer with strong evidence and results") in squashed
    assert "Page 1 of" in text


def test_hostile_text_is_printed_not_fetched(
    loaded: LoadedSelfAssessment, outcome: SelfAssessmentResult
) -> None:
    context = self_assessment_context(loaded.framework, outcome, organisation=HOSTILE, date=DATE)
    rendering: Rendering = render_document(SELF_ASSESSMENT, context)
    assert rendering.requested == (PRINT_CSS,)
    assert rendering.refused == ()
    assert rendering.warnings == ()
    text = _text(PdfReader(io.BytesIO(rendering.pdf)))
    assert '<img src="http://127.0.0.1:9/x">' in text
    assert "file:///etc/passwd <b>Care</b>" in text


# --- bad input ------------------------------------------------------------------------------


def test_a_bad_file_exits_2_naming_the_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        f"framework: ethical-care\norganisation: {ORGANISATION}\nanswers:\n  fw_sick_pay: maybe\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.pdf"
    result = CliRunner().invoke(report, ["self-assessment", str(bad), "-o", str(out)])
    assert result.exit_code == INVALID_INPUT
    assert f"{bad}:4: answers.fw_sick_pay: " in result.output
    assert not out.exists()


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "none.yaml"
    result = CliRunner().invoke(
        report, ["self-assessment", str(missing), "-o", str(tmp_path / "out.pdf")]
    )
    assert result.exit_code == INVALID_INPUT
    assert "cannot read the self-assessment file" in result.output


def test_a_bad_date_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        report,
        ["self-assessment", str(EXAMPLE), "-o", str(tmp_path / "out.pdf"), "--date", "1/5/26"],
    )
    assert result.exit_code == 2
    assert "'1/5/26' is not a date like 2026-05-01" in result.output
    assert not (tmp_path / "out.pdf").exists()
