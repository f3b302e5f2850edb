"""The production image's start-up, tested without a container engine.

`docker/entrypoint.sh` runs here as the image runs it: it waits for the database, applies the
migrations and starts gunicorn with the production settings (or a command given instead). The
settings compose.yaml passes are the ones config.py and the start-up scripts read, and the
README documents each of them.
"""

from __future__ import annotations

import ast
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from config import PROJECT_ROOT, normalise_database_url

ENTRYPOINT = PROJECT_ROOT / "docker" / "entrypoint.sh"
DOCKER_SCRIPTS = [
    PROJECT_ROOT / "docker" / "entrypoint.sh",
    PROJECT_ROOT / "docker" / "gunicorn.conf.py",
    PROJECT_ROOT / "docker" / "wait_for_database.py",
]
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
STRONG_KEY = "k" * 16 + "3f9a0c1e7b2d4f6a8c0e2b4d6f8a1c3e"
# Read by the PostgreSQL and Redis images, or by compose itself, not by Commonweal.
IMAGE_SETTINGS = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}
# Read by the test settings only, never in a deployment.
TEST_ONLY_SETTINGS = {"TEST_DATABASE_URL"}


def production_environment(**settings: str) -> dict[str, str]:
    """A clean environment: the venv's tools on PATH and the given settings, nothing inherited."""
    environment = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHON": sys.executable,
        "SECRET_KEY": STRONG_KEY,
        "PUBLIC_BASE_URL": "https://commonweal.council.example",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "AUDIT_HMAC_KEY": "audit-key-for-tests-0123456789abcdef0123456789",
    }
    environment.update(settings)
    return environment


def run_entrypoint(
    environment: dict[str, str], *command: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ENTRYPOINT), *command],
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# --- the settings it reads -----------------------------------------------------------------


def environment_names_read_by_python(path: Path) -> set[str]:
    """Names passed to `os.environ.get(...)`, `env.get(...)` or `os.environ[...]` in `path`."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and ast.unparse(node.func.value) in {"os.environ", "env", "environ"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(str(node.args[0].value))
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(str(ast.literal_eval(node.slice)))
    return names


def environment_names_read_by_shell(path: Path) -> set[str]:
    return set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", path.read_text()))


def names_the_app_reads() -> set[str]:
    names = environment_names_read_by_python(PROJECT_ROOT / "config.py")
    for script in DOCKER_SCRIPTS:
        if script.suffix == ".py":
            names |= environment_names_read_by_python(script)
        else:
            names |= environment_names_read_by_shell(script)
    return names - TEST_ONLY_SETTINGS


def compose() -> dict[str, object]:
    loaded = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def app_environment() -> dict[str, str]:
    services = compose()["services"]
    assert isinstance(services, dict)
    environment = services["app"]["environment"]
    assert isinstance(environment, dict)
    return {str(name): str(value) for name, value in environment.items()}


def test_config_reads_the_settings_this_test_knows_of() -> None:
    """A guard for the parser below: it finds what config.py really reads."""
    read = environment_names_read_by_python(PROJECT_ROOT / "config.py")
    assert {"SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL", "RATELIMIT_STORAGE_URI"} <= read
    assert {"COMMONWEAL_ENV", "TRUST_REQUEST_ID_HEADER"} <= read


def test_every_setting_compose_passes_to_the_app_is_one_it_reads() -> None:
    unknown = set(app_environment()) - names_the_app_reads()

    assert unknown == set(), f"compose.yaml sets settings nothing reads: {sorted(unknown)}"


def test_compose_passes_the_settings_production_cannot_start_without() -> None:
    environment = app_environment()

    assert environment["COMMONWEAL_ENV"] == "production"
    # Required from the operator: compose refuses to start without them (`:?`), no default.
    for name in ("SECRET_KEY", "PUBLIC_BASE_URL"):
        assert environment[name].startswith(f"${{{name}:?"), name
    assert environment["DATABASE_URL"].startswith("postgresql://")
    assert "@db:5432/" in environment["DATABASE_URL"]
    assert environment["RATELIMIT_STORAGE_URI"] == "redis://redis:6379/0"


def test_compose_starts_postgresql_15_and_redis_beside_the_app() -> None:
    services = compose()["services"]
    assert isinstance(services, dict)
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:")
    assert set(services["app"]["depends_on"]) == {"db", "redis"}
    for name in ("db", "redis"):
        assert services["app"]["depends_on"][name]["condition"] == "service_healthy"
    unknown = set(services["db"]["environment"]) - IMAGE_SETTINGS
    assert unknown == set()


def test_the_readme_documents_every_setting_the_app_reads() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    deploying = readme[readme.index("## Deploying") :]
    deploying = deploying[: deploying.find("\n## ", 1)]
    missing = {
        name
        for name in names_the_app_reads() | set(app_environment())
        if f"`{name}`" not in deploying
    }

    assert missing == set(), f"README.md's Deploying section does not name {sorted(missing)}"


def test_the_dockerfile_builds_a_non_root_debian_image_with_weasyprints_libraries() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, flags=re.M)
    assert stages[-1] == "python:3.11-slim-bookworm"
    for package in (
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "fonts-dejavu-core",
    ):
        assert re.search(rf"^\s+{re.escape(package)}\b", dockerfile, flags=re.M), package
    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.M)
    assert users, "the image says which user it runs as"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert "--constraint constraints.txt" in dockerfile
    assert 'ENTRYPOINT ["/app/docker/entrypoint.sh"]' in dockerfile
    assert os.access(ENTRYPOINT, os.X_OK)


# --- running it ----------------------------------------------------------------------------


def test_the_entrypoint_migrates_a_new_sqlite_database_then_runs_the_given_command(
    tmp_path: Path,
) -> None:
    database = tmp_path / "commonweal.sqlite3"
    marker = tmp_path / "started"
    environment = production_environment(DATABASE_URL=f"sqlite:///{database}")

    result = run_entrypoint(
        environment, sys.executable, "-c", f"open({str(marker)!r}, 'w').write('started')"
    )

    assert result.returncode == 0, result.stderr
    assert marker.read_text() == "started"
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert {"bid", "user_account", "audit_event"} <= tables
    assert version


def test_the_entrypoint_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    environment = production_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    del environment["SECRET_KEY"]

    result = run_entrypoint(environment, sys.executable, "-c", f"open({str(marker)!r}, 'w')")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert not marker.exists()


def test_the_entrypoint_gives_up_when_the_database_never_answers(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    environment = production_environment(
        DATABASE_URL="postgresql://postgres@127.0.0.1:9/commonweal", DATABASE_WAIT_SECONDS="2"
    )

    started = time.monotonic()
    result = run_entrypoint(environment, sys.executable, "-c", f"open({str(marker)!r}, 'w')")

    assert result.returncode == 1
    assert time.monotonic() - started < 30
    assert "The database did not answer within 2 s" in result.stderr
    assert not marker.exists()


@pytest.fixture
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, as a container's first start finds it; dropped after."""
    if not POSTGRES_URL:
        pytest.skip("set TEST_DATABASE_URL to start on PostgreSQL")
    url = sa.make_url(normalise_database_url(POSTGRES_URL))
    name = f"commonweal_start_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get_json(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL: production keeps limits in Redis")
def test_the_entrypoint_migrates_postgresql_and_serves_with_gunicorn(
    fresh_postgres_database: str, tmp_path: Path
) -> None:
    port = free_port()
    environment = production_environment(
        DATABASE_URL=fresh_postgres_database.replace("postgresql+psycopg://", "postgresql://"),
        RATELIMIT_STORAGE_URI=REDIS_URL,
        PORT=str(port),
        WEB_CONCURRENCY="1",
    )
    server = subprocess.Popen(
        [str(ENTRYPOINT)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        status, body = 0, b""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, body = get_json(f"http://127.0.0.1:{port}/readyz")
                break
            except OSError:
                time.sleep(0.3)
        assert server.poll() is None, "the server stopped"
        assert (status, body) == (200, b'{"database":"ok","redis":"ok","status":"ok"}\n')
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
            assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
            assert page.headers["X-Request-Id"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "Applying the database migrations" in output
    assert "gunicorn" in output.lower()
    assert '"event": "request"' in output  # the app's JSON request lines reach the server log
    engine = sa.create_engine(normalise_database_url(fresh_postgres_database))
    with engine.connect() as connection:
        assert "bid" in sa.inspect(connection).get_table_names()
    engine.dispose()
