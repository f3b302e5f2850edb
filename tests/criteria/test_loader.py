"""The framework loader: YAML in, a checked `Framework` out, or every problem with its line.

Each broken fixture in tests/criteria/data/ plants one problem (its first line says which);
the line numbers asserted here were counted in those files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from pydantic import BaseModel, ValidationError

import criteria
from criteria.checks.questions import RULE_ANSWER_TYPES
from criteria.inputs import Round
from criteria.loader import (
    FrameworkError,
    LineLoader,
    Problem,
    load_framework,
    load_framework_text,
    parse_yaml_with_lines,
    problems_from,
)
from criteria.model import ANSWER_TYPES, ChoicePointsRule, Criterion, Framework, PriceFormula

DATA = Path(__file__).parent / "data"


def problems_of(name: str) -> list[Problem]:
    with pytest.raises(FrameworkError) as caught:
        load_framework(DATA / name)
    return caught.value.problems


def only_problem(name: str) -> Problem:
    problems = problems_of(name)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --- valid frameworks ---------------------------------------------------------------


def test_complete_framework_loads_with_every_rule_and_award_option() -> None:
    framework = load_framework(DATA / "complete.yaml")

    assert framework.id == "test-homecare"
    assert list(framework.criteria)[:3] == ["pays_rlw", "lowest_pay", "permanent_share"]
    rules = {c.scoring.rule for c in framework.criteria.values() if c.scoring}
    assert rules == {
        "gate",
        "bands",
        "linear",
        "choice_points",
        "evaluator_scale",
        "postcode_area",
        "price",
    }
    assert framework.award.price is not None
    assert framework.award.price.formula.name == "fixed_range"


def test_rates_are_read_as_exact_decimals() -> None:
    framework = load_framework(DATA / "complete.yaml")

    assert framework.parameters["real_living_wage"].value == Decimal("13.45")
    assert framework.parameters["minimum_rate"].value == Decimal("24.10")


def test_yes_no_and_on_off_stay_words_so_yes_no_choice_points_and_postcodes_work() -> None:
    framework = load_framework(DATA / "complete.yaml")

    sick_pay = framework.criteria["sick_pay"].scoring
    assert isinstance(sick_pay, ChoicePointsRule)
    assert sick_pay.points == {"yes": Decimal(4), "no": Decimal(0)}
    assert framework.parameters["local_districts"].value == ["WN1", "WN2", "NO"]


def test_true_and_false_are_still_booleans() -> None:
    document, _ = parse_yaml_with_lines("a: true\nb: False\nc: yes\nd: off\n", "x.yaml")

    assert document == {"a": True, "b": False, "c": "yes", "d": "off"}


def test_positions_of_keys_and_list_items_are_recorded() -> None:
    text = "id: x\nsections:\n  - id: a\n    weight: 10\n  - id: b\n"

    _, lines = parse_yaml_with_lines(text, "x.yaml")

    assert lines.position_of(("sections",)) == (2, 1)
    assert lines.position_of(("sections", 0)) == (3, 5)
    assert lines.line_of(("sections", 0, "weight")) == 4
    assert lines.line_of(("sections", 1)) == 5
    # a missing key points at the deepest part that exists
    assert lines.line_of(("sections", 1, "title")) == 5
    assert lines.line_of(("award", "pillars")) == 1


def test_merge_keys_are_resolved_and_the_mappings_own_key_wins() -> None:
    text = "base: &b {x: 1, y: 2}\nmerged:\n  <<: *b\n  y: 3\n"

    document, lines = parse_yaml_with_lines(text, "x.yaml")

    assert document["merged"] == {"x": 1, "y": 3}
    assert lines.line_of(("merged", "y")) == 4


# --- model problems -----------------------------------------------------------------


def test_misspelt_key_names_file_line_field_and_the_key_it_probably_meant() -> None:
    problem = only_problem("misspelt_key.yaml")

    assert problem.file == str(DATA / "misspelt_key.yaml")
    assert problem.line == 28
    assert problem.field == "sections[0].criteria[0].scoring.bands[1]"
    assert problem.criterion == "lowest_pay"
    assert problem.message == (
        "unknown key 'pionts'; did you mean 'points'? (expected one of: at_least, points, label)"
    )


def test_problem_reads_as_one_line_with_file_line_field_and_criterion() -> None:
    problem = only_problem("misspelt_key.yaml")

    assert str(problem) == (
        f"{DATA / 'misspelt_key.yaml'}:28: sections[0].criteria[0].scoring.bands[1] "
        "(criterion 'lowest_pay'): unknown key 'pionts'; did you mean 'points'? "
        "(expected one of: at_least, points, label)"
    )


def test_wrong_type_says_what_was_expected_and_what_was_found() -> None:
    problem = only_problem("wrong_type.yaml")

    assert problem.line == 23
    assert problem.field == "sections[0].criteria[0].weight"
    assert problem.message == "expected a number, found text 'ten'"


def test_unknown_rule_lists_the_rules_and_suggests_the_nearest() -> None:
    problem = only_problem("bad_rule.yaml")

    assert problem.line == 25
    assert problem.field == "sections[0].criteria[0].scoring.rule"
    assert problem.message == (
        "unknown rule 'bandz'; did you mean 'bands'? (expected one of: gate, bands, linear, "
        "choice_points, evaluator_scale, postcode_area, price)"
    )


def test_missing_key_points_at_the_object_that_lacks_it() -> None:
    problem = only_problem("missing_key.yaml")

    assert problem.line == 20
    assert problem.field == "sections[0].criteria[0]"
    assert problem.criterion == "lowest_pay"
    assert problem.message == "missing required key 'prompt'"


def test_rule_tag_is_not_part_of_the_field_path() -> None:
    text = (DATA / "minimal.yaml").read_text().replace("points: 4}", "points: -1}")

    with pytest.raises(FrameworkError) as caught:
        load_framework_text(text, "minimal.yaml")

    [problem] = caught.value.problems
    assert problem.field == "sections[0].criteria[0].scoring.bands[1].points"
    assert problem.line == 27
    assert problem.message == "must be at least 0, found the number -1"


def test_a_number_or_parameter_field_gives_one_problem_naming_both() -> None:
    text = (DATA / "minimal.yaml").read_text().replace("at_least: 15,", "at_least: fifteen,")

    with pytest.raises(FrameworkError) as caught:
        load_framework_text(text, "minimal.yaml")

    [problem] = caught.value.problems
    assert problem.field == "sections[0].criteria[0].scoring.bands[1].at_least"
    assert problem.message == (
        "expected a number or a $parameter reference such as $real_living_wage, "
        "found text 'fifteen'"
    )


def test_missing_rule_key_lists_the_rules() -> None:
    text = (DATA / "minimal.yaml").read_text().replace("rule: bands", "rul: bands")

    with pytest.raises(FrameworkError) as caught:
        load_framework_text(text, "minimal.yaml")

    [problem] = caught.value.problems
    assert problem.line == 23
    assert problem.field == "sections[0].criteria[0].scoring"
    assert problem.message.startswith(
        "missing required key 'rule'; is 'rul' a misspelling of it? (expected one of: gate, bands"
    )


def test_every_model_problem_is_reported_at_once_in_file_order() -> None:
    text = (
        (DATA / "minimal.yaml")
        .read_text()
        .replace('version: "1"', "version: 1.5")
        .replace("type: money", "type: mony")
        .replace("weight: 100}", "weight: lots}")
    )

    with pytest.raises(FrameworkError) as caught:
        load_framework_text(text, "many.yaml")

    assert [(p.line, p.field) for p in caught.value.problems] == [
        (2, "version"),
        (21, "sections[0].criteria[0].type"),
        (30, "award.pillars[0].weight"),
    ]
    assert "did you mean 'money'?" in caught.value.problems[1].message
    assert str(caught.value).count("\n") == 2


# --- YAML problems --------------------------------------------------------------------


def test_duplicate_key_is_an_error_naming_both_lines() -> None:
    problem = only_problem("duplicate_key.yaml")

    assert problem.line == 19
    assert problem.field == "sections[0]"
    assert problem.message == "duplicate key 'weight': it is also on line 17"


def test_yaml_syntax_error_gives_the_line_where_parsing_failed() -> None:
    problem = only_problem("syntax_error.yaml")

    assert problem.line == 29
    assert problem.field == ""
    assert problem.message.startswith("YAML syntax error: while parsing a flow mapping")
    assert problem.message.endswith("(from line 28)")


@pytest.mark.parametrize("text", ["", "\n", "# nothing but a comment\n"])
def test_empty_file_is_a_clear_problem_at_line_one(text: str) -> None:
    with pytest.raises(FrameworkError) as caught:
        load_framework_text(text, "empty.yaml")

    assert str(caught.value) == (
        "empty.yaml:1: the file is empty: expected a YAML mapping (key: value lines)"
    )


def test_a_list_instead_of_a_mapping_is_a_clear_problem_at_line_one() -> None:
    with pytest.raises(FrameworkError) as caught:
        load_framework_text("- id: x\n- id: y\n", "list.yaml")

    [problem] = caught.value.problems
    assert problem.line == 1
    assert "holds a list, but it must be a YAML mapping" in problem.message


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError) as caught:
        load_framework(tmp_path / "absent.yaml")

    [problem] = caught.value.problems
    assert problem.line == 1
    assert problem.message.startswith("cannot read the file")


# --- cross-field problems, with lines ---------------------------------------------------


def test_criterion_weights_not_adding_to_100_point_at_the_section() -> None:
    problem = only_problem("criterion_weights.yaml")

    assert problem.line == 15
    assert problem.field == "sections[0]"
    assert problem.message == (
        "the weights of the scored criteria in section 'fair_work' add up to 90, not 100 "
        "(lowest_pay 60, training 30)"
    )


def test_unknown_parameter_names_the_known_ones_and_the_nearest() -> None:
    problem = only_problem("unknown_parameter.yaml")

    assert problem.line == 27
    assert problem.field == "sections[0].criteria[0].scoring.bands[0].at_least"
    assert problem.message == (
        "unknown parameter $real_living_wag (parameters: $real_living_wage); "
        "did you mean '$real_living_wage'?"
    )


def test_unknown_scale_is_reported_at_the_scale_key() -> None:
    problem = only_problem("unknown_scale.yaml")

    assert problem.line == 32
    assert problem.field == "sections[0].criteria[1].scoring.scale"
    assert problem.criterion == "continuity"
    assert problem.message == "unknown scale 'qualty' (scales: quality); did you mean 'quality'?"


def test_show_if_to_a_later_or_missing_criterion_is_reported_with_both_lines() -> None:
    later, missing = problems_of("show_if_later.yaml")

    assert later.line == 23
    assert later.criterion == "union_name"
    assert later.field == "sections[0].criteria[0].show_if.criterion"
    assert later.message.startswith("'union' comes later in the framework")
    assert later.message.endswith("(see line 33)")
    assert missing.line == 39
    assert missing.message == "unknown criterion 'unoin'; did you mean 'union'?"


def test_choice_points_off_the_scale_point_at_the_choice() -> None:
    problem = only_problem("choice_points_off_scale.yaml")

    assert problem.line == 38
    assert problem.field == "sections[0].criteria[1].scoring.points.access"
    assert problem.message == "3 points for 'access' is not on scale 'quality' (points: 0, 2, 4)"


def test_single_problem_error_for_other_readers() -> None:
    error = FrameworkError.single("round.yaml", 4, "framework", "no such framework")

    assert str(error) == "round.yaml:4: framework: no such framework"
    assert error.problems[0].column == 1


# --- the format's documentation -----------------------------------------------------------

README = Path(criteria.__file__).parent / "README.md"
PRICE_FORMULA_NAMES = [
    get_args(member.model_fields["name"].annotation)[0]
    for member in get_args(get_args(PriceFormula)[0])
]


def _models(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    """The model and every model reachable from its fields."""
    yield model
    for info in model.model_fields.values():
        for found in _classes(info.annotation):
            yield from _models(found)


def _classes(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in get_args(annotation):
        yield from _classes(argument)


def test_readme_documents_every_key_of_the_format() -> None:
    text = README.read_text(encoding="utf-8")
    keys = {
        info.alias or name
        for model in _models(Framework)
        for name, info in model.model_fields.items()
    }

    undocumented = sorted(
        k for k in keys if f"`{k}`" not in text and not re.search(rf"(?m)^\s*{k}:", text)
    )

    assert undocumented == []
    assert len(keys) > 50


def test_readme_names_every_rule_price_formula_and_answer_type() -> None:
    text = README.read_text(encoding="utf-8")
    names = [*RULE_ANSWER_TYPES, *PRICE_FORMULA_NAMES, *ANSWER_TYPES]

    assert [n for n in names if f"`{n}`" not in text] == []


def _readme_yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_examples_are_valid_yaml_without_duplicate_keys() -> None:
    blocks = _readme_yaml_blocks()

    for block in blocks:
        loader = LineLoader(block)
        try:
            node = loader.get_single_node()
            assert node is not None
            loader.construct_located(node)
        finally:
            loader.dispose()
        assert loader.duplicates == [], block
    assert len(blocks) > 20


def test_readme_example_criteria_are_valid_criteria() -> None:
    examples = [
        item
        for block in _readme_yaml_blocks()
        if block.lstrip().startswith("- id:")
        for item in yaml.safe_load(block)
        if "prompt" in item
    ]

    for example in examples:
        Criterion.model_validate(example)
    assert len(examples) >= 4


# --- other documents and odd YAML -----------------------------------------------------------


def test_round_file_problems_list_the_allowed_keys_of_the_round_model() -> None:
    text = "id: r1\ntitle: A round\nframework: ethical-care\nbids:\n  - id: a\n    nme: Acme\n"
    document, lines = parse_yaml_with_lines(text, "round.yaml")

    with pytest.raises(ValidationError) as caught:
        Round.model_validate(document)
    [problem] = problems_from(caught.value, "round.yaml", lines)

    assert str(problem) == (
        "round.yaml:6: bids[0]: unknown key 'nme'; did you mean 'name'? "
        "(expected one of: id, name, answers)"
    )


@pytest.mark.parametrize(
    ("text", "line", "start"),
    [
        ("a: 1\nb: &loop [*loop]\n", 2, "an alias refers to the mapping or list that contains it"),
        ("a: 1\nb: {? [1, 2]: x}\n", 2, "YAML syntax error: while reading a mapping"),
        ("a: 1\nb: 2\nc: \x07\n", 3, "unreadable YAML: special characters are not allowed"),
        ("a: 1\n---\nb: 2\n", 2, "YAML syntax error: expected a single document"),
    ],
)
def test_odd_yaml_is_a_problem_with_a_line_not_a_crash(text: str, line: int, start: str) -> None:
    with pytest.raises(FrameworkError) as caught:
        parse_yaml_with_lines(text, "odd.yaml")

    [problem] = caught.value.problems
    assert (problem.line, problem.message[: len(start)]) == (line, start)


def test_a_bad_item_in_a_list_parameter_is_named_not_the_whole_union() -> None:
    text = (
        (DATA / "minimal.yaml")
        .read_text()
        .replace(
            "parameters:\n",
            "parameters:\n  local: {value: [WN1, 2], description: Local districts}\n",
        )
    )

    with pytest.raises(FrameworkError) as caught:
        load_framework_text(text, "minimal.yaml")

    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (5, "parameters.local.value[1]")
    assert problem.message == "expected text, found the number 2"


def test_a_badly_formed_parameter_name_is_reported_at_its_key() -> None:
    text = (DATA / "minimal.yaml").read_text().replace("  real_living_wage:", "  Real-Wage:")

    with pytest.raises(FrameworkError) as caught:
        load_framework_text(text, "minimal.yaml")

    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (5, "parameters")
    assert problem.message == (
        "invalid key 'Real-Wage': expected an id of lower-case letters, digits and _ that "
        "starts with a letter"
    )
