"""The content hash identifies what a framework says, not how its file is written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from criteria.hashing import canonical_json, content_hash
from criteria.loader import load_framework_text

DATA = Path(__file__).parent / "data"
MINIMAL = (DATA / "minimal.yaml").read_text(encoding="utf-8")


def hash_of(text: str) -> str:
    return content_hash(load_framework_text(text, "hash-test.yaml"))


def edited(*replacements: tuple[str, str]) -> str:
    text = MINIMAL
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


REORDERED = """\
award:
  pillars:
    - {weight: 100, title: Quality, id: quality}
title: Minimal framework
sections:
  - criteria:
      - scoring:
          bands:
            - {points: 2, at_least: $real_living_wage}
            - {points: 4, at_least: 15}
          rule: bands
        weight: 100
        type: money
        prompt: What is the lowest hourly rate you pay care staff?
        id: lowest_pay
    weight: 100
    pillar: quality
    title: Fair work
    id: fair_work
scales:
  quality:
    points:
      - {descriptor: Not shown, label: Poor, points: 0}
      - {descriptor: Partly shown, label: Good, points: 2}
      - {descriptor: Fully shown, label: Excellent, points: 4}
    title: Quality 0-4
parameters:
  real_living_wage: {description: Real Living Wage per hour, value: 13.45}
version: "1"
id: minimal
"""

REFORMATTED = """\
# The minimal framework, written out in block style with comments.

id:      minimal
version: '1'
title:   "Minimal framework"

parameters:
  real_living_wage:          # per hour, from the Living Wage Foundation
    value: 13.45
    description: Real Living Wage per hour

scales:
  quality:
    title: Quality 0-4
    points:
      - points: 0
        label: Poor
        descriptor: Not shown
      - points: 2
        label: Good
        descriptor: Partly shown
      - points: 4
        label: Excellent
        descriptor: Fully shown

sections:
- id: fair_work
  title: Fair work
  pillar: quality
  weight: 100
  criteria:
  - id: lowest_pay
    prompt: >-
      What is the lowest hourly rate
      you pay care staff?
    type: money
    weight: 100
    scoring:
      rule: bands
      bands: [{at_least: $real_living_wage, points: 2}, {at_least: 15, points: 4}]

award: {pillars: [{id: quality, title: Quality, weight: 100}]}
"""


def test_hash_is_sha256_of_the_canonical_content() -> None:
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", hash_of(MINIMAL))


def test_key_order_does_not_change_the_hash() -> None:
    assert hash_of(REORDERED) == hash_of(MINIMAL)


def test_whitespace_comments_quoting_and_flow_style_do_not_change_the_hash() -> None:
    assert hash_of(REFORMATTED) == hash_of(MINIMAL)


def test_writing_out_the_defaults_does_not_change_the_hash() -> None:
    explicit = edited(
        (
            "        type: money\n",
            "        type: money\n        required: true\n        profile: false\n",
        ),
        (
            "{id: quality, title: Quality, weight: 100}",
            "{id: quality, title: Quality, weight: 100, min_weight: 0, max_weight: 100}",
        ),
        ("award:\n", "award:\n  minimum_thresholds: []\n  tie_break: []\n"),
    )

    assert hash_of(explicit) == hash_of(MINIMAL)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("value: 13.45", "value: 13.450"),
        ("at_least: 15,", "at_least: 15.00,"),
        ("    weight: 100\n    criteria", "    weight: 100.0\n    criteria"),
    ],
)
def test_numbers_are_compared_by_value(old: str, new: str) -> None:
    assert hash_of(edited((old, new))) == hash_of(MINIMAL)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("value: 13.45", "value: 13.46"),
        ("at_least: 15,", "at_least: 16,"),
        ("points: 4}", "points: 3}"),
        (
            "{id: quality, title: Quality, weight: 100}",
            "{id: quality, title: Quality, weight: 100, min_weight: 90}",
        ),
        ("prompt: What is the lowest", "prompt: What is the lowest basic"),
    ],
)
def test_a_real_change_changes_the_hash(old: str, new: str) -> None:
    assert hash_of(edited((old, new))) != hash_of(MINIMAL)


def test_a_weight_change_changes_the_hash() -> None:
    two_pillars = edited(
        (
            "    - {id: quality, title: Quality, weight: 100}",
            "    - {id: quality, title: Quality, weight: 60}\n"
            "    - {id: price, title: Price, weight: 40}",
        ),
        (
            "award:",
            "  - id: price\n    title: Price\n    pillar: price\n    weight: 100\n"
            "    criteria:\n      - {id: rate, prompt: Rate, type: money, weight: 100,"
            " scoring: {rule: price}}\naward:\n  price:\n    criterion: rate\n"
            "    formula: {name: lowest_over_bid}",
        ),
    )
    reweighted = two_pillars.replace("weight: 60}", "weight: 70}").replace(
        "weight: 40}", "weight: 30}"
    )

    assert hash_of(reweighted) != hash_of(two_pillars)


def test_canonical_json_has_sorted_keys_and_numbers_as_normalised_text() -> None:
    text = canonical_json(load_framework_text(edited(("value: 13.45", "value: 13.450")), "x"))

    assert '"value":"13.45"' in text
    assert text.index('"award"') < text.index('"id"') < text.index('"sections"')
    assert text == json.dumps(
        json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
