"""A framework in words for its page: each criterion's rule, the award rules, thresholds.

One describer per rule name (the same registry shape as `criteria.rules`), so a new rule
adds one function and one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from criteria.answers import choice_label, format_number
from criteria.model import (
    BandsRule,
    ChoicePointsRule,
    Condition,
    Criterion,
    EvaluatorScaleRule,
    Framework,
    LinearRule,
    PostcodeAreaRule,
    Threshold,
)
from criteria.wording import criterion_title, parameter_words, plain

RuleDescriber = Callable[[Any, Criterion, Framework], str]


def number_text(value: Decimal | str, framework: Framework, answer_type: str | None = None) -> str:
    """`£13.45`, or `the Real Living Wage (£13.45)` when the figure is a parameter."""
    if isinstance(value, Decimal):
        return format_number(answer_type, value)
    name = value.removeprefix("$")
    parameter = framework.parameters.get(name)
    if parameter is not None and isinstance(parameter.value, Decimal):
        figure = format_number(answer_type, parameter.value)
        return f"{parameter_words(name, framework)} ({figure})"
    return plain(value, framework)


def parameter_name(name: str, framework: Framework) -> str:
    """A parameter's name as a heading: "Real Living Wage", "Part mileage rate"."""
    words = parameter_words(name, framework).removeprefix("the ")
    return words[:1].upper() + words[1:]


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _points(value: Decimal) -> str:
    return f"{_plain(value)} point{'' if value == 1 else 's'}"


def _choice_text(criterion: Criterion, key: str) -> str:
    if criterion.type == "yes_no":
        return key.capitalize()
    return choice_label(criterion, key)


def parameter_text(value: Any) -> str:
    """A parameter's value in words: `13.45`, `WN1, WN2`, `Yes`."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _bands(rule: BandsRule, criterion: Criterion, framework: Framework) -> str:
    steps = "; ".join(
        f"at least {number_text(b.at_least, framework, criterion.type)}: {_plain(b.points)}"
        for b in rule.bands
    )
    return f"Bands: {steps}; below every band: 0"


def _linear(rule: LinearRule, criterion: Criterion, framework: Framework) -> str:
    start = number_text(rule.from_, framework, criterion.type)
    end = number_text(rule.to, framework, criterion.type)
    return f"Linear: 0 points at {start} rising to {_plain(rule.max_points)} at {end}"


def _choice_points(rule: ChoicePointsRule, criterion: Criterion, framework: Framework) -> str:
    points = ", ".join(
        f"{_choice_text(criterion, key)} {_plain(value)}" for key, value in rule.points.items()
    )
    cap = f" (at most {_plain(rule.max_points)})" if rule.max_points is not None else ""
    return f"Points per answer: {points}{cap}"


def _evaluator_scale(rule: EvaluatorScaleRule, criterion: Criterion, framework: Framework) -> str:
    scale = framework.scales.get(rule.scale)
    title = scale.title if scale else rule.scale
    return f"Marked by evaluators ({title})"


def _postcode_area(rule: PostcodeAreaRule, criterion: Criterion, framework: Framework) -> str:
    areas = plain(rule.areas, framework) if isinstance(rule.areas, str) else ", ".join(rule.areas)
    return f"{_points(rule.points)} when the postcode is in {areas}, else 0"


def _price(rule: Any, criterion: Criterion, framework: Framework) -> str:
    price = framework.award.price
    formula = price.formula.name.replace("_", " ") if price else "the price formula"
    return f"Scored by the award's price formula ({formula})"


def _gate_only(rule: Any, criterion: Criterion, framework: Framework) -> str:
    return "Pass or fail only: no points"


RULE_DESCRIBERS: dict[str, RuleDescriber] = {
    "gate": _gate_only,
    "bands": _bands,
    "linear": _linear,
    "choice_points": _choice_points,
    "evaluator_scale": _evaluator_scale,
    "postcode_area": _postcode_area,
    "price": _price,
}


def describe_condition(condition: Condition, criterion: Criterion, framework: Framework) -> str:
    """The tests of a condition joined with "and": `equals Yes and at least £12.71`."""

    def shown(value: Any) -> str:
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, Decimal):
            return format_number(criterion.type, value)
        return choice_label(criterion, str(value))

    tests = []
    if condition.equals is not None:
        tests.append(f"is {shown(condition.equals)}")
    if condition.in_:
        tests.append("is one of " + ", ".join(shown(v) for v in condition.in_))
    if condition.not_in:
        tests.append("is none of " + ", ".join(shown(v) for v in condition.not_in))
    if condition.at_least is not None:
        tests.append(f"is at least {number_text(condition.at_least, framework, criterion.type)}")
    if condition.at_most is not None:
        tests.append(f"is at most {number_text(condition.at_most, framework, criterion.type)}")
    if condition.answered is not None:
        tests.append("is answered" if condition.answered else "is not answered")
    return " and ".join(tests) or "always holds"


def describe_scoring(criterion: Criterion, framework: Framework) -> str:
    """How a criterion is scored, with its gate: one or two sentences."""
    rule = criterion.scoring
    if rule is None:
        return "Not scored"
    text = RULE_DESCRIBERS[rule.rule](rule, criterion, framework)
    if rule.gate is not None:
        condition = describe_condition(rule.gate, criterion, framework)
        text += f". Gate: the bid passes only if the answer {condition}"
    return text


def _threshold_subject(threshold: Threshold, framework: Framework) -> str:
    """What a threshold applies to, by its title: "Person-centred care", "the quality pillar"."""
    target = str(threshold.id)
    if threshold.scope == "criterion" and target in framework.criteria:
        return f"“{criterion_title(framework.criteria[target])}”"
    if threshold.scope == "section":
        title = next((s.title for s in framework.sections if s.id == target), target)
        return f"the {title} section"
    if threshold.scope == "pillar" and target in framework.pillars:
        return f"the {framework.pillars[target].title} pillar"
    return "the total" if threshold.id is None else f"{threshold.scope} {target}"


def describe_threshold(threshold: Threshold, framework: Framework) -> str:
    where = _threshold_subject(threshold, framework)
    if threshold.min_points is not None:
        return f"At least {_plain(threshold.min_points)} points on {where}"
    return f"At least {_plain(threshold.min_percent or Decimal(0))}% of the points on {where}"


def describe_price_formula(framework: Framework) -> str | None:
    price = framework.award.price
    if price is None:
        return None
    formula = price.formula
    name = formula.name.replace("_", " ")
    details = []
    for field_name in ("best", "worst", "price", "percent_per_percent"):
        value = getattr(formula, field_name, None)
        if value is not None:
            details.append(f"{field_name.replace('_', ' ')} {number_text(value, framework)}")
    extra = f" ({', '.join(details)})" if details else ""
    criterion = framework.criteria.get(price.criterion)
    subject = criterion_title(criterion) if criterion is not None else price.criterion
    return f"{subject} scored by {name}{extra}"
