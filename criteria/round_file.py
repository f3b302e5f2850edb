"""Reading a round file (YAML or JSON): the framework it names, its bids, marks and panel.

A round file is how a commissioner scores a round without the web app, and how the examples
are kept. Its errors name the file, the line and the field, like the framework loader's. The
panel's conflict declarations are checked against the bids and the marks: a declaration must
name a bid of the round, and an evaluator who declared a conflict with a bid must not mark it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from criteria.catalogue import load_builtin
from criteria.checks import CheckProblem
from criteria.inputs import Round
from criteria.loader import (
    ROUND_LIMITS,
    FrameworkError,
    load_framework,
    parse_yaml_with_lines,
    problems_from,
    problems_from_checks,
    read_limited,
)
from criteria.model import Framework

__all__ = ["LoadedRound", "load_round"]


@dataclass(frozen=True)
class LoadedRound:
    path: Path
    round: Round
    framework: Framework


def load_round(path: str | Path) -> LoadedRound:
    """Read and validate a round file, its panel and the framework it names.

    `framework` is a built-in framework id, or a path to a framework file relative to the
    round file. Raises `FrameworkError` (with file, line and field) on any problem.
    """
    path = Path(path)
    text = read_limited(path, ROUND_LIMITS, "round file")
    document, lines = parse_yaml_with_lines(text, str(path), ROUND_LIMITS)
    try:
        round_ = Round.model_validate(document)
    except ValidationError as exc:
        raise FrameworkError(problems_from(exc, str(path), lines)) from exc
    panel_problems = list(_panel_problems(round_))
    if panel_problems:
        raise FrameworkError(problems_from_checks(panel_problems, str(path), lines))
    framework = _framework_for(round_, path)
    if round_.framework_version and round_.framework_version != framework.version:
        raise FrameworkError.single(
            str(path),
            lines.line_of(("framework_version",)),
            "framework_version",
            f"the round asks for version {round_.framework_version!r} of framework "
            f"{framework.id!r}, but version {framework.version!r} was found",
        )
    return LoadedRound(path=path, round=round_, framework=framework)


def _framework_for(round_: Round, round_path: Path) -> Framework:
    reference = round_.framework
    if reference.endswith((".yaml", ".yml")):
        return load_framework(round_path.parent / reference)
    try:
        return load_builtin(reference, round_.framework_version)
    except KeyError as exc:
        raise FrameworkError.single(
            str(round_path), 1, "framework", str(exc.args[0] if exc.args else exc)
        ) from exc


def _panel_problems(round_: Round) -> Iterator[CheckProblem]:
    """What is wrong with the round's `panel`: declarations about bids the round does not have,
    an evaluator or a declaration given twice, marks from an evaluator who declared a conflict.
    """
    bid_ids = [b.id for b in round_.bids]
    known = ", ".join(bid_ids) or "none"
    first_entry: dict[str, int] = {}
    for i, member in enumerate(round_.panel):
        here = ("panel", i, "evaluator")
        if member.evaluator in first_entry:
            yield CheckProblem(
                here,
                f"evaluator '{member.evaluator}' is on the panel twice; give each evaluator "
                "one entry with a declaration for every bid",
                ("panel", first_entry[member.evaluator], "evaluator"),
            )
        first_entry.setdefault(member.evaluator, i)
        declared: dict[str, int] = {}
        for j, declaration in enumerate(member.declarations):
            at = ("panel", i, "declarations", j, "bid")
            if declaration.bid not in bid_ids:
                yield CheckProblem(
                    at,
                    f"'{declaration.bid}' is not a bid of this round (its bids: {known})",
                )
            elif declaration.bid in declared:
                yield CheckProblem(
                    at,
                    f"{member.evaluator} declares about bid '{declaration.bid}' twice",
                    ("panel", i, "declarations", declared[declaration.bid], "bid"),
                )
            declared.setdefault(declaration.bid, j)
            if declaration.conflict:
                yield from _conflicted_marks(round_, member.evaluator, declaration.bid, at)


def _conflicted_marks(
    round_: Round, evaluator: str, bid_id: str, declared_at: tuple[str | int, ...]
) -> Iterator[CheckProblem]:
    """A problem for each mark `evaluator` gave on a bid they declared a conflict with."""
    for criterion_id, given in round_.marks.get(bid_id, {}).items():
        for k, mark in enumerate(given.marks):
            if mark.evaluator == evaluator:
                yield CheckProblem(
                    ("marks", bid_id, criterion_id, "marks", k, "evaluator"),
                    f"{evaluator} declared a conflict of interest with bid '{bid_id}', so "
                    "cannot mark it; remove this mark or ask another evaluator to mark the bid",
                    declared_at,
                )
