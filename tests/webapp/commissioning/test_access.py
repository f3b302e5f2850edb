"""Who may open each commissioning page: every route for every role, allowed and refused."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from tests.webapp.commissioning.conftest import MakeRound
from tests.webapp.conftest import parse_page
from tests.webapp.forms_helper import csrf_token_of
from webapp.models import CommissioningRound, FrameworkVersion, Role, User

AsRole = Callable[[Role], FlaskClient]

MANAGERS = [Role.ADMIN, Role.COMMISSIONER]
READERS = [Role.EVALUATOR, Role.BOARD]

# Pages anyone on the staff may read; {round} and {framework} are filled in per test.
READ_PAGES = [
    "/commissioning/rounds",
    "/commissioning/rounds/{round}",
    "/commissioning/frameworks",
    "/commissioning/frameworks/{framework}",
]
# Pages that change things: commissioners and administrators only.
CHANGE_PAGES = [
    "/commissioning/rounds/new",
    "/commissioning/frameworks/upload",
    "/commissioning/rounds/{round}/settings",
    "/commissioning/rounds/{round}/invitations",
    "/commissioning/rounds/{round}/publish",
]


@pytest.fixture
def paths(make_round: MakeRound, builtin_version: FrameworkVersion) -> dict[str, str]:
    round_ = make_round(invite_only=True)
    return {"round": str(round_.id), "framework": str(builtin_version.id)}


@pytest.mark.parametrize("role", MANAGERS + READERS)
@pytest.mark.parametrize("path", READ_PAGES)
def test_staff_can_read_rounds_and_frameworks(
    as_role: AsRole, paths: dict[str, str], role: Role, path: str
):
    client = as_role(role)

    page = parse_page(client.get(path.format(**paths)))

    assert page.status_code == 200
    assert len(page.h1s) == 1
    assert page.duplicate_ids == []


@pytest.mark.parametrize("role", MANAGERS)
@pytest.mark.parametrize("path", CHANGE_PAGES)
def test_commissioners_and_admins_can_open_every_change_page(
    as_role: AsRole, paths: dict[str, str], role: Role, path: str
):
    client = as_role(role)

    page = parse_page(client.get(path.format(**paths)))

    assert page.status_code == 200
    assert len(page.h1s) == 1
    assert page.duplicate_ids == []


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("path", CHANGE_PAGES)
def test_evaluators_and_board_members_cannot_change_anything(
    client: FlaskClient,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
    paths: dict[str, str],
    role: Role,
    path: str,
):
    token = csrf_token_of(client, "/sign-in")  # a valid token, so the refusal is the role's
    sign_in(make_user(role))

    assert client.get(path.format(**paths)).status_code == 403
    assert client.post(path.format(**paths), data={"csrf_token": token}).status_code == 403


@pytest.mark.parametrize("path", READ_PAGES + CHANGE_PAGES)
def test_providers_are_refused_every_commissioning_page(
    as_role: AsRole, paths: dict[str, str], path: str
):
    client = as_role(Role.PROVIDER)

    assert client.get(path.format(**paths)).status_code == 403


@pytest.mark.parametrize("path", CHANGE_PAGES)
def test_providers_cannot_post_changes(
    client: FlaskClient,
    make_user: Callable[..., User],
    sign_in: Callable[[User], FlaskClient],
    paths: dict[str, str],
    path: str,
):
    token = csrf_token_of(client, "/sign-in")
    sign_in(make_user(Role.PROVIDER))

    assert client.post(path.format(**paths), data={"csrf_token": token}).status_code == 403


@pytest.mark.parametrize("path", READ_PAGES + CHANGE_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(
    client: FlaskClient, paths: dict[str, str], path: str
):
    url = path.format(**paths)

    response = client.get(url)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next={quote(url, safe='')}"


@pytest.mark.parametrize("path", CHANGE_PAGES)
def test_anonymous_posts_are_sent_to_sign_in_and_change_nothing(
    client: FlaskClient, paths: dict[str, str], path: str
):
    token = csrf_token_of(client, "/sign-in")

    response = client.post(path.format(**paths), data={"csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


@pytest.mark.parametrize(
    "path",
    [
        "/commissioning/rounds/9999",
        "/commissioning/rounds/9999/settings",
        "/commissioning/rounds/9999/invitations",
        "/commissioning/rounds/9999/publish",
        "/commissioning/frameworks/9999",
    ],
)
def test_a_round_or_framework_that_does_not_exist_is_not_found(as_role: AsRole, path: str):
    client = as_role(Role.COMMISSIONER)

    assert client.get(path).status_code == 404


def test_readers_see_no_change_links_or_buttons(
    as_role: AsRole, paths: dict[str, str], open_round: CommissioningRound
):
    client = as_role(Role.EVALUATOR)

    rounds = parse_page(client.get("/commissioning/rounds"))
    round_page = parse_page(client.get(f"/commissioning/rounds/{paths['round']}"))
    frameworks = parse_page(client.get("/commissioning/frameworks"))

    assert "/commissioning/rounds/new" not in rounds.links
    assert not any(
        link.endswith(("/settings", "/invitations", "/publish")) for link in round_page.links
    )
    assert "/commissioning/frameworks/upload" not in frameworks.links


def test_managers_see_the_links_to_change_a_draft_round(as_role: AsRole, paths: dict[str, str]):
    client = as_role(Role.COMMISSIONER)

    page = parse_page(client.get(f"/commissioning/rounds/{paths['round']}"))

    base = f"/commissioning/rounds/{paths['round']}"
    assert {f"{base}/settings", f"{base}/invitations", f"{base}/publish"} <= set(page.links)
    assert "/commissioning/rounds/new" in parse_page(client.get("/commissioning/rounds")).links
