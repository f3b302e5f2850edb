"""Frameworks: the stored versions, one version's outline, and uploading a YAML file."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from criteria.catalogue import FRAMEWORKS_DIR
from tests.webapp.commissioning.conftest import error_links
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import post_form
from webapp.extensions import db
from webapp.models import FrameworkVersion, Role

AsRole = Callable[[Role], FlaskClient]
UPLOAD = "/commissioning/frameworks/upload"
ETHICAL_CARE = (FRAMEWORKS_DIR / "ethical-care.yaml").read_text(encoding="utf-8")
MINIMAL = (Path(__file__).parents[2] / "criteria" / "data" / "minimal.yaml").read_text("utf-8")


@pytest.fixture
def commissioner(as_role: AsRole) -> FlaskClient:
    return as_role(Role.COMMISSIONER)


def upload(client: FlaskClient, content: str | bytes, name: str = "mine.yaml"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return post_form(client, UPLOAD, files={"framework_file": (BytesIO(data), name)})


def versions(app: Flask) -> list[FrameworkVersion]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(FrameworkVersion).order_by(FrameworkVersion.id)))
        db.session.expunge_all()
        return found


def with_line_changed(text: str, line: int, old: str, new: str) -> str:
    lines = text.splitlines(keepends=True)
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new)
    return "".join(lines)


def test_the_list_shows_the_built_in_framework_with_its_id_version_and_hash(
    commissioner: FlaskClient, builtin_version: FrameworkVersion
):
    response = commissioner.get("/commissioning/frameworks")
    html = response.get_data(as_text=True)

    assert parse_page(response).h1s == ["Frameworks"]
    assert "Ethical care - homecare and supported living" in html
    assert "ethical-care" in html
    assert "2026.1" in html
    assert builtin_version.content_hash[:19] in html
    assert "Built in" in html
    assert f"/commissioning/frameworks/{builtin_version.id}" in parse_page(response).links


def test_the_framework_page_is_a_readable_outline(
    commissioner: FlaskClient, builtin_version: FrameworkVersion
):
    response = commissioner.get(f"/commissioning/frameworks/{builtin_version.id}")
    html = response.get_data(as_text=True)
    page = parse_page(response)

    assert page.h1s == ["Ethical care - homecare and supported living, version 2026.1"]
    assert builtin_version.content_hash in html
    # pillars with weights and bounds
    assert "Fair work and ownership" in html
    assert "Social value" in html
    # sections with criteria and their rules
    assert 'id="section-local_ownership"' in html
    assert "What is the postcode of your registered office?" in html
    assert (
        "1 point when the postcode is in the council&#39;s local postcode districts, else 0" in html
    )
    assert "Bands: at least the National Living Wage (£12.71): 4" in html
    assert "at least the Real Living Wage (£13.45): 10" in html
    assert "Points per answer: Yes 1, No 0" in html
    assert "Marked by evaluators (Evaluator marking scale, 0 to 5)" in html
    assert "Gate: the bid passes only if the answer" in html
    assert "Hourly rate scored by fixed range" in html
    assert "At least 2 points on “Person-centred care”" in html
    # parameters by their labels, with values and sources; no $names or criterion ids
    assert "Real Living Wage</dt>" in html
    assert "$" not in html
    assert "pr_hourly_rate<" not in html
    assert "13.45 GBP per hour" in html
    assert "Source: Living Wage Foundation" in html
    assert "WN1, WN2, WN3" in html
    assert page.duplicate_ids == []
    assert f"/commissioning/rounds/new?framework={builtin_version.id}" in page.links


def test_uploading_a_valid_framework_stores_it_and_shows_its_page(
    app: Flask, commissioner: FlaskClient
):
    response = upload(commissioner, MINIMAL, "minimal.yaml")

    stored = [v for v in versions(app) if not v.builtin]
    assert len(stored) == 1
    assert stored[0].framework_id == "minimal"
    assert stored[0].source_name == "minimal.yaml"
    assert stored[0].source_text == MINIMAL
    assert stored[0].uploaded_by_id is not None
    assert response.status_code == 302
    assert response.headers["Location"] == f"/commissioning/frameworks/{stored[0].id}"
    html = commissioner.get(response.headers["Location"]).get_data(as_text=True)
    assert "govuk-notification-banner--success" in html
    assert "Minimal framework, version 1 uploaded" in html
    listing = commissioner.get("/commissioning/frameworks").get_data(as_text=True)
    assert "Uploaded by Commissioner" in listing


def test_the_same_content_uploaded_twice_is_stored_once(app: Flask, commissioner: FlaskClient):
    first = upload(commissioner, MINIMAL, "minimal.yaml")
    second = upload(commissioner, "# a comment changes nothing\n" + MINIMAL, "copy.yml")

    assert first.headers["Location"] == second.headers["Location"]
    assert len([v for v in versions(app) if not v.builtin]) == 1
    html = commissioner.get(second.headers["Location"]).get_data(as_text=True)
    assert "was already stored: nothing new was added" in html


def test_uploading_the_built_in_framework_finds_the_stored_version(
    app: Flask, commissioner: FlaskClient, builtin_version: FrameworkVersion
):
    response = upload(commissioner, ETHICAL_CARE, "ethical-care.yaml")

    assert response.headers["Location"] == f"/commissioning/frameworks/{builtin_version.id}"
    assert len(versions(app)) == 1


def test_a_misspelt_key_is_shown_with_file_line_field_and_suggestion_and_nothing_is_stored(
    app: Flask, commissioner: FlaskClient, builtin_version: FrameworkVersion
):
    lines = ETHICAL_CARE.splitlines()
    line = lines.index("  - id: local_ownership") + 4  # the second section's weight
    assert lines[line - 1] == "    weight: 40"
    broken = with_line_changed(ETHICAL_CARE, line, "weight", "wieght")

    response = upload(commissioner, broken, "ethical-care.yaml")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert parse_page(response).title.startswith("Error: Upload a framework")
    [(href, text)] = error_links(html)
    assert href == "#framework_file"
    assert text.startswith(
        f"ethical-care.yaml line {line}: sections[1]: unknown key 'wieght'; did you mean 'weight'?"
    )
    assert "The selected file has 1 problem" in html
    assert [v.id for v in versions(app)] == [builtin_version.id]


def test_every_problem_in_a_file_is_listed(app: Flask, commissioner: FlaskClient):
    broken = with_line_changed(
        MINIMAL, MINIMAL.splitlines().index("    weight: 100") + 1, "weight: 100", "weight: lots"
    )
    broken = broken.replace("points: 4}", "pionts: 4}")

    html = upload(commissioner, broken, "two-problems.yaml").get_data(as_text=True)

    links = error_links(html)
    assert len(links) == 2
    assert all(href == "#framework_file" for href, _ in links)
    assert all(text.startswith("two-problems.yaml line ") for _, text in links)
    assert any("sections[0].weight" in text for _, text in links)
    assert any(
        "(criterion 'lowest_pay'): unknown key 'pionts'; did you mean 'points'?" in text
        for _, text in links
    )
    assert "The selected file has 2 problems" in html
    assert not [v for v in versions(app) if not v.builtin]


def test_a_yaml_syntax_error_is_reported_with_its_line(app: Flask, commissioner: FlaskClient):
    html = upload(commissioner, "id: x\ntitle: [unclosed\n", "bad.yaml").get_data(as_text=True)

    [(_, text)] = error_links(html)
    assert text.startswith("bad.yaml line ")
    assert "YAML syntax error" in text


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (None, None, "Select a framework file"),
        (MINIMAL, "framework.txt", "The selected file must be a YAML file (.yaml or .yml)"),
        (b"id: \xff\xfe broken", "latin.yaml", "The selected file must be a text file saved as"),
        (b"#" * 2049, "huge.yaml", "The selected file must be smaller than 2 KB"),
    ],
)
def test_files_that_cannot_be_frameworks_are_refused(
    app: Flask, commissioner: FlaskClient, content: bytes | str | None, name: str, message: str
):
    app.config["FRAMEWORK_MAX_BYTES"] = 2048
    if content is None:
        response = post_form(commissioner, UPLOAD, {})
    else:
        response = upload(commissioner, content, name)

    [(href, text)] = error_links(response.get_data(as_text=True))
    assert href == "#framework_file"
    assert text.startswith(message)
    assert not [v for v in versions(app) if not v.builtin]
