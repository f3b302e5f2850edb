"""Engine wording for people: parameter references in words, criteria by their titles.

The engine writes a figure that comes from a parameter with the parameter's name, so a reason
can always be traced to the framework: "£12.71 is at least the National Living Wage
($national_living_wage = £12.71)". Nobody reading a page or a report should meet `$name`, so
every such text passes through `plain()` on its way out, in the web app (the `plain` template
filter), the reports and the `commonweal` command alike; and a criterion is named by
`criterion_title()`, never by its id.
"""

from __future__ import annotations

import re

from criteria.model import Criterion, Framework

__all__ = ["criterion_title", "parameter_words", "plain"]

_BRACKETED = re.compile(r" ?\(\$([a-z][a-z0-9_]*)(?: = ([^)]*))?\)")
_VALUED = re.compile(r"\$([a-z][a-z0-9_]*) = ")
_BARE = re.compile(r"\$([a-z][a-z0-9_]*)")


def parameter_words(name: str, framework: Framework | None = None) -> str:
    """A parameter as a person says it: "the National Living Wage" from its `label`, or
    "the price ceiling" from its name when it has none."""
    parameter = framework.parameters.get(name) if framework is not None else None
    label = parameter.label if parameter is not None and parameter.label else None
    return f"the {label or name.replace('_', ' ')}"


def plain(text: str, framework: Framework | None = None) -> str:
    """`text` with every `$parameter` reference in words, using the framework's labels.

    "the Real Living Wage ($real_living_wage = £13.45)" reads "the Real Living Wage
    (£13.45)": the words before it already name it. "£32.14 ($minimum_sustainable_rate)"
    reads "£32.14 (the minimum sustainable rate)" when the parameter has a label, "£32.14"
    when it has none. "above $profit_ceiling = 10%" reads "above the profit ceiling of 10%",
    and a bare "$price_ceiling" reads "the price ceiling".
    """

    def bracketed(match: re.Match[str]) -> str:
        name, value = match.group(1), match.group(2)
        if value:
            return f" ({value})"
        parameter = framework.parameters.get(name) if framework is not None else None
        if parameter is not None and parameter.label:
            return f" ({parameter_words(name, framework)})"
        return ""

    text = _BRACKETED.sub(bracketed, text)
    text = _VALUED.sub(lambda m: f"{parameter_words(m.group(1), framework)} of ", text)
    return _BARE.sub(lambda m: parameter_words(m.group(1), framework), text)


def criterion_title(criterion: Criterion) -> str:
    """What a heading or a table calls a criterion: its short `title`, else its prompt."""
    return criterion.title or criterion.prompt
