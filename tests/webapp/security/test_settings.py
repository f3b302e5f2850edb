"""The security-relevant settings of every environment, as the app really receives them.

Development and testing differ from production only where a plain-HTTP machine needs it
(cookies without `Secure`, no HSTS); CSRF protection, HttpOnly and SameSite cookies, session
lifetimes and the upload limit hold everywhere. Production refuses to start without the
settings it cannot guess.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from config import (
    CONFIGS,
    Config,
    DevelopmentConfig,
    ProductionConfig,
    TestingConfig,
)
from webapp import create_app

STRONG_KEY = "k" * 16 + "3f9a0c1e7b2d4f6a8c0e2b4d6f8a1c3e"
PRODUCTION_ENVIRONMENT = {
    "SECRET_KEY": STRONG_KEY,
    "DATABASE_URL": "sqlite://",
    "PUBLIC_BASE_URL": "https://commonweal.council.example",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "AUDIT_HMAC_KEY": "audit-key-for-tests-0123456789abcdef0123456789",
}


def settings_for(name: str) -> Config:
    if name == "production":
        return ProductionConfig(PRODUCTION_ENVIRONMENT)
    if name == "testing":
        return TestingConfig("sqlite://")
    return DevelopmentConfig("sqlite://")


def test_every_environment_is_checked_here() -> None:
    assert set(CONFIGS) == {"development", "testing", "production"}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_security_settings_hold_in_every_environment(name: str) -> None:
    app: Flask = create_app(settings_for(name))
    config = app.config
    production = name == "production"

    assert config["WTF_CSRF_ENABLED"] is True
    assert config.get("WTF_CSRF_CHECK_DEFAULT", True) is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["SESSION_COOKIE_SECURE"] is production
    assert config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_SECURE"] is production
    assert config["PERMANENT_SESSION_LIFETIME"] <= timedelta(hours=12)
    assert config["REMEMBER_COOKIE_DURATION"] <= timedelta(hours=12)
    assert 0 < config["MAX_CONTENT_LENGTH"] <= 50 * 1024 * 1024
    assert 0 < config["EVIDENCE_MAX_BYTES"] <= config["MAX_CONTENT_LENGTH"]
    assert config["SECRET_KEY"]
    assert config["DEBUG"] is False
    if production:
        assert config["HSTS_SECONDS"] >= 180 * 24 * 60 * 60
        assert config["TESTING"] is False
        assert config["PUBLIC_BASE_URL"] == "https://commonweal.council.example"
    else:
        assert config["HSTS_SECONDS"] == 0  # plain-HTTP machines: HSTS would lock them out
    # The settings class says the same as the app it configured.
    settings = settings_for(name)
    assert settings.WTF_CSRF_ENABLED is True
    assert settings.SESSION_COOKIE_SECURE is production


def test_production_refuses_to_start_without_a_public_base_url() -> None:
    environment = dict(PRODUCTION_ENVIRONMENT)
    del environment["PUBLIC_BASE_URL"]

    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL is not set"):
        ProductionConfig(environment)


@pytest.mark.parametrize("value", ["", "commonweal.council.example", "ftp://example"])
def test_production_refuses_a_public_base_url_that_is_not_a_web_address(value: str) -> None:
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        ProductionConfig({**PRODUCTION_ENVIRONMENT, "PUBLIC_BASE_URL": value})
