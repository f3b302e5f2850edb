"""A round file's `panel`: who evaluated, and the conflicts of interest each declared.

Declarations must name bids of the round, and an evaluator who declares a conflict with a bid
must not mark it; mistakes name the file, the line and the field, like every round file error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from criteria.loader import FrameworkError
from criteria.round_file import load_round

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "homecare-2026" / "round.yaml"

HEAD = """\
id: panel-test
title: Panel test round
framework: ethical-care
bids:
  - {id: alder, name: Alder Care}
  - {id: birch, name: Birch Care}
"""

MARKS = """\
marks:
  birch:
    fw_narrative:
      marks:
        - {evaluator: A. Jones, points: 3, justification: Clear and specific throughout.}
"""


def _round_file(tmp_path: Path, panel: str, marks: str = "") -> Path:
    path = tmp_path / "round.yaml"
    path.write_text(HEAD + panel + marks, encoding="utf-8")
    return path


def _line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


def _problems(path: Path) -> str:
    with pytest.raises(FrameworkError) as caught:
        load_round(path)
    return str(caught.value)


def test_a_panel_with_a_declaration_for_every_bid_loads(tmp_path: Path) -> None:
    path = _round_file(
        tmp_path,
        "panel:\n"
        "  - evaluator: A. Jones\n"
        "    declarations:\n"
        "      - {bid: alder, conflict: true, details: My sister manages Alder Care.}\n"
        "      - {bid: birch, conflict: false}\n",
        MARKS,
    )
    [member] = load_round(path).round.panel
    assert member.evaluator == "A. Jones"
    assert [(d.bid, d.conflict) for d in member.declarations] == [
        ("alder", True),
        ("birch", False),
    ]
    assert member.declarations[0].details == "My sister manages Alder Care."


def test_a_round_without_a_panel_has_an_empty_one(tmp_path: Path) -> None:
    assert load_round(_round_file(tmp_path, "")).round.panel == []


def test_a_declaration_about_a_bid_not_in_the_round_names_file_line_and_field(
    tmp_path: Path,
) -> None:
    path = _round_file(
        tmp_path,
        "panel:\n"
        "  - evaluator: A. Jones\n"
        "    declarations:\n"
        "      - {bid: alder, conflict: false}\n"
        "      - {bid: cedar, conflict: true, details: A former employer.}\n",
    )
    line = _line_of(path, "      - {bid: cedar, conflict: true, details: A former employer.}")
    message = _problems(path)
    assert message == (
        f"{path}:{line}: panel[0].declarations[1].bid: 'cedar' is not a bid of this round "
        "(its bids: alder, birch)"
    )


def test_an_evaluator_who_declared_a_conflict_cannot_mark_that_bid(tmp_path: Path) -> None:
    path = _round_file(
        tmp_path,
        "panel:\n"
        "  - evaluator: A. Jones\n"
        "    declarations:\n"
        "      - {bid: birch, conflict: true, details: I was a trustee until 2025.}\n",
        MARKS,
    )
    mark_line = _line_of(
        path,
        "        - {evaluator: A. Jones, points: 3, justification: Clear and specific throughout.}",
    )
    declared_line = _line_of(
        path, "      - {bid: birch, conflict: true, details: I was a trustee until 2025.}"
    )
    message = _problems(path)
    assert message.startswith(f"{path}:{mark_line}: marks.birch.fw_narrative.marks[0].evaluator:")
    assert "A. Jones declared a conflict of interest with bid 'birch', so cannot mark it" in message
    assert message.endswith(f"(see line {declared_line})")


def test_an_evaluator_listed_twice_or_declaring_twice_about_a_bid_is_refused(
    tmp_path: Path,
) -> None:
    path = _round_file(
        tmp_path,
        "panel:\n"
        "  - evaluator: A. Jones\n"
        "    declarations:\n"
        "      - {bid: alder, conflict: false}\n"
        "      - {bid: alder, conflict: true, details: Changed my mind.}\n"
        "  - evaluator: A. Jones\n"
        "    declarations: []\n",
    )
    problems = _problems(path).splitlines()
    assert len(problems) == 2
    assert "panel[0].declarations[1].bid: A. Jones declares about bid 'alder' twice" in problems[0]
    assert "panel[1].evaluator: evaluator 'A. Jones' is on the panel twice" in problems[1]


def test_a_declaration_needs_to_say_whether_there_is_a_conflict(tmp_path: Path) -> None:
    path = _round_file(
        tmp_path,
        "panel:\n  - evaluator: A. Jones\n    declarations:\n      - {bid: alder}\n",
    )
    message = _problems(path)
    assert "panel[0].declarations[0]" in message
    assert "conflict" in message


def test_the_example_round_panel_declares_for_every_bid_and_its_marks_agree() -> None:
    round_ = load_round(EXAMPLE).round
    bids = {b.id for b in round_.bids}
    assert len(round_.panel) == 4
    conflicts = []
    for member in round_.panel:
        assert sorted(d.bid for d in member.declarations) == sorted(bids), member.evaluator
        conflicts += [(member.evaluator, d) for d in member.declarations if d.conflict]
    [(evaluator, declaration)] = conflicts
    assert len(declaration.details.split()) >= 10
    marked_by = {
        m.evaluator for given in round_.marks[declaration.bid].values() for m in given.marks
    }
    assert evaluator not in marked_by
    assert len(marked_by) == 3
    every_marker = {
        m.evaluator for by in round_.marks.values() for given in by.values() for m in given.marks
    }
    assert every_marker == {member.evaluator for member in round_.panel}
