"""The round settings form, built from the round's framework.

A framework decides what a round may set: the postcode districts its `postcode_area` rules
count as local, its numeric parameters (wage floors, price ceilings), and its pillar weights
within published bounds. One form class is built per framework version and cached.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import StopValidation

from criteria.model import Framework, Parameter, Pillar, PostcodeAreaRule
from webapp.forms.base import AppForm

DISTRICT = re.compile(r"^[A-Z]{1,2}(?:[0-9][0-9A-Z]?)?$")
"""A postcode area (`WN`) or district (outward code: `WN1`, `M29`, `EC1A`)."""

Kind = Literal["districts", "number"]


@dataclass(frozen=True)
class SettingInput:
    """One framework parameter a round may set, and the field that sets it."""

    name: str
    parameter: Parameter
    kind: Kind

    @property
    def field_name(self) -> str:
        return f"param_{self.name}"


def setting_inputs(framework: Framework) -> list[SettingInput]:
    """The parameters a round may set: local postcode lists and numbers, in framework order."""
    postcode_lists = {
        c.scoring.areas[1:]
        for c in framework.criteria.values()
        if isinstance(c.scoring, PostcodeAreaRule) and isinstance(c.scoring.areas, str)
    }
    inputs = []
    for name, parameter in framework.parameters.items():
        if name in postcode_lists and isinstance(parameter.value, list):
            inputs.append(SettingInput(name, parameter, "districts"))
        elif isinstance(parameter.value, Decimal):
            inputs.append(SettingInput(name, parameter, "number"))
    return inputs


ACRONYMS = frozenset({"cqc", "fte", "gbp", "hmrc", "nhs", "uk", "vcse"})


def humanise(name: str) -> str:
    """`local_postcode_districts` -> `Local postcode districts`; `hmrc_…` -> `HMRC …`."""
    words = [w.upper() if w in ACRONYMS else w for w in name.split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def value_text(value: Any) -> str:
    """A parameter value as a person types it: lists joined with commas, numbers plain."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def parse_districts(text: str) -> tuple[list[str], list[str]]:
    """(districts normalised to upper case without repeats, entries that are not districts)."""
    found: list[str] = []
    wrong: list[str] = []
    for entry in re.split(r"[\s,;]+", text.upper()):
        if not entry:
            continue
        target = found if DISTRICT.match(entry) else wrong
        if entry not in target:
            target.append(entry)
    return found, wrong


def parse_number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip().replace(",", "").lstrip("£"))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _districts_check(label: str) -> Callable[[Any, Field], None]:
    def check(form: Any, field: Field) -> None:
        found, wrong = parse_districts(field.data or "")
        if wrong:
            quoted = ", ".join(wrong)
            one = len(wrong) == 1
            verb = "is not a postcode district or area" if one else "are not districts or areas"
            raise StopValidation(f"{quoted} {verb}: enter districts like WN1 or areas like WN")
        if not found:
            raise StopValidation(f"Enter {label.lower()}, like WN1, WN2 or WN")

    return check


def _number_check(label: str) -> Callable[[Any, Field], None]:
    def check(form: Any, field: Field) -> None:
        text = (field.data or "").strip()
        if not text:
            raise StopValidation(f"Enter {label.lower()}")
        number = parse_number(text)
        if number is None:
            raise StopValidation(f"{label} must be a number, like 13.45")
        if number < 0:
            raise StopValidation(f"{label} must be 0 or more")

    return check


def _weight_check(pillar: Pillar) -> Callable[[Any, Field], None]:
    low, high = value_text(pillar.min_weight), value_text(pillar.max_weight)

    def check(form: Any, field: Field) -> None:
        text = (field.data or "").strip()
        if not text:
            raise StopValidation(f"Enter a weight for {pillar.title}")
        number = parse_number(text)
        if number is None:
            raise StopValidation(f"{pillar.title} weight must be a number, like 40")
        if not pillar.min_weight <= number <= pillar.max_weight:
            raise StopValidation(
                f"{pillar.title} weight must be between {low} and {high}, not {value_text(number)}"
            )

    return check


class RoundSettingsFormBase(AppForm):
    """What every built settings form shares; `settings_form_class` adds the fields."""

    framework: Framework
    inputs: list[SettingInput]
    weights_error: str | None = None

    @property
    def parameter_fields(self) -> list[Field]:
        return [self[i.field_name] for i in self.inputs]

    @property
    def weight_fields(self) -> list[Field]:
        return [self[f"weight_{p.id}"] for p in self.framework.award.pillars]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        weights = {p.id: parse_number(self[f"weight_{p.id}"].data or "") for p in self.pillars}
        if any(w is None for w in weights.values()):
            return valid
        total = sum((w for w in weights.values() if w is not None), Decimal(0))
        if total != 100:
            listed = ", ".join(
                f"{p.title} {value_text(weights[p.id])}" for p in self.framework.award.pillars
            )
            self.weights_error = (
                f"Pillar weights must add up to 100, but they add up to {value_text(total)} "
                f"({listed})"
            )
            return False
        return valid

    @property
    def pillars(self) -> list[Pillar]:
        return list(self.framework.award.pillars)

    def weights_error_items(self) -> list[dict[str, str]]:
        if not self.weights_error:
            return []
        first = self.weight_fields[0]
        return [{"text": self.weights_error, "href": f"#{first.id}"}]

    def parameter_values(self) -> dict[str, Any]:
        """The typed parameters: district lists and exact numbers, by parameter name."""
        values: dict[str, Any] = {}
        for item in self.inputs:
            text = self[item.field_name].data or ""
            values[item.name] = (
                parse_districts(text)[0] if item.kind == "districts" else parse_number(text)
            )
        return values

    def weight_values(self) -> dict[str, Decimal]:
        return {
            p.id: parse_number(self[f"weight_{p.id}"].data or "") or Decimal(0)
            for p in self.pillars
        }


def initial_values(
    framework: Framework, parameters: dict[str, Any], weights: dict[str, Any] | None
) -> dict[str, str]:
    """What the form shows first: the round's values, else the framework's defaults."""
    data = {}
    for item in setting_inputs(framework):
        data[item.field_name] = value_text(parameters.get(item.name, item.parameter.value))
    for pillar in framework.award.pillars:
        data[f"weight_{pillar.id}"] = value_text((weights or {}).get(pillar.id, pillar.weight))
    return data


_FORM_CLASSES: dict[str, type[RoundSettingsFormBase]] = {}


def settings_form_class(content_hash: str, framework: Framework) -> type[RoundSettingsFormBase]:
    """The settings form class of one framework version (built once per content hash)."""
    if content_hash not in _FORM_CLASSES:
        _FORM_CLASSES[content_hash] = _build_form_class(framework)
    return _FORM_CLASSES[content_hash]


def _build_form_class(framework: Framework) -> type[RoundSettingsFormBase]:
    inputs = setting_inputs(framework)
    fields: dict[str, Any] = {"framework": framework, "inputs": inputs}
    for item in inputs:
        fields[item.field_name] = _parameter_field(item)
    for pillar in framework.award.pillars:
        fields[f"weight_{pillar.id}"] = StringField(
            pillar.title,
            widget=GovTextInput(),
            description=(
                f"Between {value_text(pillar.min_weight)} and {value_text(pillar.max_weight)}. "
                f"The framework's weight is {value_text(pillar.weight)}."
            ),
            validators=[_weight_check(pillar)],
        )
    return type("RoundSettingsForm", (RoundSettingsFormBase,), fields)


def _parameter_field(item: SettingInput) -> Field:
    parameter = item.parameter
    label = humanise(item.name)
    unit = f" {parameter.unit}" if parameter.unit and item.kind == "number" else ""
    default = f"Framework default: {value_text(parameter.value)}{unit}."
    if item.kind == "districts":
        return TextAreaField(
            label,
            widget=GovTextArea(),
            description=(
                f"{parameter.description} Separate them with commas or spaces: districts like "
                f"WN1, or whole areas like WN. {default}"
            ),
            validators=[_districts_check(label)],
        )
    if unit:
        label = f"{label} ({parameter.unit})"
    return StringField(
        label,
        widget=GovTextInput(),
        description=f"{parameter.description} {default}",
        validators=[_number_check(humanise(item.name))],
    )
