"""Settings per environment, and production's refusal to start with a weak secret key."""

from __future__ import annotations

from pathlib import Path

import pytest

import config
from config import (
    DevelopmentConfig,
    ProductionConfig,
    TestingConfig,
    get_config,
    normalise_database_url,
)

STRONG_KEY = "k" * 16 + "3f9a0c1e7b2d4f6a8c0e2b4d6f8a1c3e"
SHARED_LIMITS = "redis://127.0.0.1:6379/0"
BASE_URL = "https://commonweal.council.example"
AUDIT_KEY = "a" * 16 + "9c1e7b2d4f6a8c0e2b4d6f8a1c3e3f9a"


@pytest.mark.parametrize(
    ("environ", "complaint"),
    [
        ({}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "too-short-for-comfort"}, "fewer than 32"),
        ({"SECRET_KEY": config.DEVELOPMENT_SECRET_KEY}, "placeholder"),
        ({"SECRET_KEY": "changeme"}, "placeholder"),
    ],
    ids=["missing", "empty", "short", "development-key", "well-known"],
)
def test_production_refuses_to_start_without_a_proper_secret_key(
    environ: dict[str, str], complaint: str
):
    with pytest.raises(RuntimeError, match=complaint):
        ProductionConfig(environ)


def test_production_starts_with_a_long_random_secret_key():
    settings = ProductionConfig(
        {
            "SECRET_KEY": STRONG_KEY,
            "RATELIMIT_STORAGE_URI": SHARED_LIMITS,
            "PUBLIC_BASE_URL": BASE_URL,
            "AUDIT_HMAC_KEY": AUDIT_KEY,
        }
    )

    assert settings.SECRET_KEY == STRONG_KEY
    assert settings.SESSION_COOKIE_SECURE is True


def test_production_refuses_to_start_with_sign_in_limits_counted_per_worker():
    with pytest.raises(RuntimeError, match=r"RATELIMIT_STORAGE_URI is memory://"):
        ProductionConfig({"SECRET_KEY": STRONG_KEY})
    with pytest.raises(RuntimeError, match=r"RATELIMIT_STORAGE_URI is memory://"):
        ProductionConfig({"SECRET_KEY": STRONG_KEY, "RATELIMIT_STORAGE_URI": "memory://"})


def test_get_config_refuses_production_when_the_environment_has_no_secret_key(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("COMMONWEAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)

    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        get_config()


@pytest.mark.parametrize(
    "url",
    [
        "postgres://user:pw@db.example:5432/commonweal",
        "postgresql://user:pw@db.example:5432/commonweal",
        "postgresql+psycopg2://user:pw@db.example:5432/commonweal",
        "postgresql+psycopg://user:pw@db.example:5432/commonweal",
    ],
)
def test_production_uses_psycopg_3_whatever_postgres_scheme_it_is_given(url: str):
    settings = ProductionConfig(
        {
            "SECRET_KEY": STRONG_KEY,
            "DATABASE_URL": url,
            "RATELIMIT_STORAGE_URI": SHARED_LIMITS,
            "PUBLIC_BASE_URL": BASE_URL,
            "AUDIT_HMAC_KEY": AUDIT_KEY,
        }
    )

    assert settings.SQLALCHEMY_DATABASE_URI == (
        "postgresql+psycopg://user:pw@db.example:5432/commonweal"
    )
    assert settings.SQLALCHEMY_ENGINE_OPTIONS == {"pool_pre_ping": True}


def test_sqlite_urls_are_left_alone():
    assert normalise_database_url("sqlite:////tmp/x.sqlite3") == "sqlite:////tmp/x.sqlite3"


def test_production_without_database_url_uses_the_instance_sqlite_file():
    settings = ProductionConfig(
        {
            "SECRET_KEY": STRONG_KEY,
            "RATELIMIT_STORAGE_URI": SHARED_LIMITS,
            "PUBLIC_BASE_URL": BASE_URL,
            "AUDIT_HMAC_KEY": AUDIT_KEY,
        }
    )

    url = settings.SQLALCHEMY_DATABASE_URI
    assert url == f"sqlite:///{config.DEFAULT_SQLITE_PATH}"


def test_development_database_is_an_absolute_path_under_the_project_instance_folder(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    url = DevelopmentConfig().SQLALCHEMY_DATABASE_URI

    path = Path(url.removeprefix("sqlite:///"))
    assert path.is_absolute()
    assert path == Path(__file__).resolve().parents[2] / "instance" / "commonweal.sqlite3"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("development", DevelopmentConfig), ("testing", TestingConfig), ("Testing", TestingConfig)],
)
def test_get_config_picks_the_class_named_by_commonweal_env(
    monkeypatch: pytest.MonkeyPatch, name: str, expected: type
):
    monkeypatch.setenv("COMMONWEAL_ENV", name)

    assert type(get_config()) is expected


def test_get_config_defaults_to_development(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("COMMONWEAL_ENV", raising=False)

    assert type(get_config()) is DevelopmentConfig


def test_get_config_names_the_known_environments_when_given_an_unknown_one():
    with pytest.raises(RuntimeError, match="development, production, testing"):
        get_config("staging")


def test_testing_keeps_csrf_protection_on():
    settings = TestingConfig("sqlite://")

    assert settings.TESTING is True
    assert settings.WTF_CSRF_ENABLED is True


@pytest.mark.parametrize(
    ("audit_key", "complaint"),
    [
        (None, "AUDIT_HMAC_KEY is not set"),
        ("short", "too short"),
        (config.DEVELOPMENT_AUDIT_HMAC_KEY, "placeholder"),
        (STRONG_KEY, "same as SECRET_KEY"),
    ],
    ids=["missing", "short", "development-key", "same-as-secret-key"],
)
def test_production_refuses_to_start_without_its_own_audit_key(
    audit_key: str | None, complaint: str
):
    environ = {
        "SECRET_KEY": STRONG_KEY,
        "RATELIMIT_STORAGE_URI": SHARED_LIMITS,
        "PUBLIC_BASE_URL": BASE_URL,
    }
    if audit_key is not None:
        environ["AUDIT_HMAC_KEY"] = audit_key
    with pytest.raises(RuntimeError, match=complaint):
        ProductionConfig(environ)


def test_production_reads_its_audit_key_from_the_environment():
    settings = ProductionConfig(
        {
            "SECRET_KEY": STRONG_KEY,
            "AUDIT_HMAC_KEY": AUDIT_KEY,
            "RATELIMIT_STORAGE_URI": SHARED_LIMITS,
            "PUBLIC_BASE_URL": BASE_URL,
        }
    )
    assert settings.AUDIT_HMAC_KEY == AUDIT_KEY
