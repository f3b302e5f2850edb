"""Cross-field checks on a framework: the rules its model alone cannot express.

The model checks each object on its own (keys, types, ranges). These checks look across
objects: weights that must add up to 100, ids that must be unique, `$parameters` and scales
that must exist, rules that must fit the question they score, follow-up questions that must
come after the question they depend on, award rules that must name real criteria.

Every problem carries the path of the offending field in the same tuple form as a pydantic
error location (`("sections", 2, "criteria", 4, "weight")`), so the loader can name the line
of the YAML file. Each check is one function registered with `@check` in one of the modules
of this package, grouped by what it looks at; `check_framework` runs them all.
"""

from __future__ import annotations

from criteria.checks import award, bounds, questions, references, structure
from criteria.checks.registry import CHECKS, CheckProblem, Loc
from criteria.model import Framework

__all__ = ["CHECKS", "CheckProblem", "Loc", "check_framework"]

_MODULES = (structure, questions, bounds, references, award)
"""The modules whose checks register themselves on import, in the order they run."""


def check_framework(framework: Framework) -> list[CheckProblem]:
    """Every cross-field problem in the framework (an empty list when it is sound)."""
    return [problem for run in CHECKS for problem in run(framework)]
