"""Reading a round file (YAML or JSON): the framework it names, its bids and marks.

A round file is how a commissioner scores a round without the web app, and how the examples
are kept. Its errors name the file, the line and the field, like the framework loader's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from criteria.catalogue import load_builtin
from criteria.inputs import Round
from criteria.loader import FrameworkError, load_framework, parse_yaml_with_lines, problems_from
from criteria.model import Framework

__all__ = ["LoadedRound", "load_round"]


@dataclass(frozen=True)
class LoadedRound:
    path: Path
    round: Round
    framework: Framework


def load_round(path: str | Path) -> LoadedRound:
    """Read and validate a round file and the framework it names.

    `framework` is a built-in framework id, or a path to a framework file relative to the
    round file. Raises `FrameworkError` (with file, line and field) on any problem.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FrameworkError.single(str(path), 1, "", f"cannot read the round file: {exc}") from exc
    document, lines = parse_yaml_with_lines(text, str(path))
    try:
        round_ = Round.model_validate(document)
    except ValidationError as exc:
        raise FrameworkError(problems_from(exc, str(path), lines)) from exc
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
