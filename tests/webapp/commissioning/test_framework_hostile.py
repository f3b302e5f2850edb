"""Hostile framework uploads: alias bombs, deep nesting, non-standard tags and absurd numbers
are refused quickly with the problem next to the file field (never a 500), and nothing is
stored."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.commissioning.conftest import error_links
from tests.webapp.commissioning.test_frameworks import MINIMAL, upload, versions
from webapp.models import Role

AsRole = Callable[[Role], FlaskClient]


def billion_laughs(levels: int = 9) -> str:
    lines = ['lol0: &lol0 ["lol"]']
    for i in range(1, levels):
        lines.append(f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (billion_laughs(9), "once its aliases (*name) are expanded"),
        (billion_laughs(6), "once its aliases (*name) are expanded"),
        ("a: " + "[" * 1000 + "]" * 1000 + "\n", "nested more than 32 levels deep"),
        ("".join(" " * i + f"k{i}:\n" for i in range(1000)), "nested more than 32 levels deep"),
        (
            MINIMAL.replace("{at_least: 15, points: 4}", "{at_least: 15, points: !!binary aGk=}"),
            "the tag !!binary is not allowed",
        ),
        (
            MINIMAL.replace("{at_least: 15, points: 4}", "{at_least: 15, points: 1E+309}"),
            "sections[0].criteria[0].scoring.bands[1].points (criterion 'lowest_pay'): must be "
            "a number from -1,000,000,000,000",
        ),
    ],
)
def test_a_hostile_framework_is_refused_next_to_the_field_and_nothing_is_stored(
    app: Flask, as_role: AsRole, content: str, words: str
) -> None:
    commissioner = as_role(Role.COMMISSIONER)
    started = time.process_time()
    response = upload(commissioner, content, "hostile.yaml")

    assert time.process_time() - started < 2
    assert response.status_code == 200
    [(href, text)] = error_links(response.get_data(as_text=True))
    assert href == "#framework_file"
    assert text.startswith("hostile.yaml line ")
    assert words in text
    assert not [v for v in versions(app) if not v.builtin]
