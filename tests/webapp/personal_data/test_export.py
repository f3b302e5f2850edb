"""Subject access: an administrator downloads everything held about a person, and nobody else's
data; the CLI writes the same file; nobody else may."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.webapp.audit.trail import database_url, key_env, log_is_intact, stored_events
from tests.webapp.personal_data.conftest import People
from tests.webapp.provider.page_forms import session_csrf_token
from webapp.console import main


def download(people: People) -> dict:  # type: ignore[type-arg]
    response = people.client_for(people.admin).get(
        f"/admin/users/{people.subject.id}/personal-data.json"
    )
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    return json.loads(response.get_data(as_text=True))


def test_the_export_holds_the_persons_data(people: People) -> None:
    data = download(people)

    assert data["account"]["email"] == "sam.subject@example.org"
    assert data["account"]["name"] == "Sam Subject"
    assert "password_hash" not in json.dumps(data)
    assert data["organisation"]["contact_phone"] == "0161"  # they are the contact
    assert [b["id"] for b in data["bids"]] == [people.bid_id]
    assert data["bids"][0]["declaration_name"] == "Sam Subject"
    assert data["evidence_files"]  # the documents they uploaded
    assert {e["action"] for e in data["audit_events"]} >= {"bid.submitted"}
    assert all(e["by_this_person"] for e in data["audit_events"])
    kinds = {r["kind"] for r in data["retention"]}
    assert {"user_account_inactive", "evidence_file"} <= kinds


def test_the_export_holds_nobody_elses_data(people: People) -> None:
    text = json.dumps(download(people))

    for somebody in (people.colleague, people.other, people.admin, people.commissioner):
        assert somebody.email not in text
        assert somebody.name not in text
    assert "Olive Other" not in text  # the other bid's declaration
    assert people.other_bid_id not in [b["id"] for b in json.loads(text)["bids"]]


def test_the_export_is_recorded_in_the_audit_log(people: People) -> None:
    download(people)

    (event,) = stored_events(people.app, action="person.exported")
    assert (event.actor_id, event.subject) == (people.admin.id, f"user:{people.subject.id}")
    assert "Sam Subject" not in event.summary
    assert "sam.subject" not in event.summary
    assert log_is_intact(people.app)


def test_the_cli_writes_the_same_export(people: People, tmp_path: Path) -> None:
    output = tmp_path / "sam.json"
    result = CliRunner().invoke(
        main,
        [
            "people",
            "export",
            "SAM.SUBJECT@example.org",
            "-o",
            str(output),
            "--database-url",
            database_url(people.app),
        ],
        env=key_env(people.app),
    )

    assert result.exit_code == 0, result.output
    from_file = json.loads(output.read_text(encoding="utf-8"))
    from_page = download(people)
    for key in ("account", "organisation", "bids", "evidence_files", "retention"):
        assert from_file[key] == from_page[key]


def test_an_unknown_person_is_a_clear_cli_error(people: People, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            *("people", "export", "nobody@example.org", "-o", str(tmp_path / "x.json")),
            *("--database-url", database_url(people.app)),
        ],
        env=key_env(people.app),
    )
    assert result.exit_code == 1
    assert "there is no account nobody@example.org" in result.output


@pytest.mark.parametrize("who", ["subject", "other", "commissioner"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/users/{id}/personal-data"),
        ("get", "/admin/users/{id}/personal-data.json"),
        ("post", "/admin/users/{id}/erase"),
    ],
)
def test_only_an_administrator_may_export_or_erase(
    people: People, who: str, method: str, path: str
) -> None:
    client = people.client_for(getattr(people, who))
    url = path.format(id=people.subject.id)
    token = session_csrf_token(people.app, client)  # refused for the role, not for CSRF

    response = getattr(client, method)(
        url, data={"csrf_token": token, "force": "y", "reason": "because"}
    )

    assert response.status_code == 403
    assert stored_events(people.app, action="person.exported") == []
    assert stored_events(people.app, action="person.erased") == []


def test_signing_in_is_asked_for_first(people: People) -> None:
    response = people.app.test_client().get(f"/admin/users/{people.subject.id}/personal-data")
    assert response.status_code == 302


def test_the_users_page_links_to_each_providers_personal_data(people: People) -> None:
    html = people.client_for(people.admin).get("/admin/users").get_data(as_text=True)
    assert f'href="/admin/users/{people.subject.id}/personal-data"' in html


def test_the_personal_data_page_shows_retention_and_the_download(people: People) -> None:
    response = people.client_for(people.admin).get(
        f"/admin/users/{people.subject.id}/personal-data"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Download their personal data" in body
    assert "kept until" in body
