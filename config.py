"""Configuration for the Commonweal web app: one class per environment, chosen by `get_config()`.

`COMMONWEAL_ENV` picks the environment (`development` when unset). Production reads its secrets
from the environment and refuses to start without a proper `SECRET_KEY`. Standard library only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

PROJECT_ROOT = Path(__file__).resolve().parent
INSTANCE_PATH = PROJECT_ROOT / "instance"
MIGRATIONS_PATH = PROJECT_ROOT / "migrations"
DEFAULT_SQLITE_PATH = INSTANCE_PATH / "commonweal.sqlite3"

MIN_SECRET_KEY_LENGTH = 32
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-never-use-in-production"
TESTING_SECRET_KEY = "testing-only-secret-key-never-use-in-production"
DEVELOPMENT_AUDIT_HMAC_KEY = "development-only-audit-key-never-use-in-production"
TESTING_AUDIT_HMAC_KEY = "testing-only-audit-key-never-use-in-production"
# Values copied from examples and tutorials; a production key must be none of them.
KNOWN_PLACEHOLDER_SECRET_KEYS = frozenset(
    {
        DEVELOPMENT_SECRET_KEY,
        TESTING_SECRET_KEY,
        "dev",
        "secret",
        "changeme",
        "change-me",
        "change-this",
        "please-change-me",
        "replace-me",
        "your-secret-key",
        "your-secret-key-here",
        "secret-key",
        "insecure",
    }
)

_POSTGRES_PREFIXES = ("postgres://", "postgresql://", "postgresql+psycopg2://")
_PSYCOPG_PREFIX = "postgresql+psycopg://"


def normalise_database_url(url: str) -> str:
    """Return `url` with any PostgreSQL scheme rewritten to the psycopg 3 driver.

    Hosting platforms hand out `postgres://` or `postgresql://` URLs; SQLAlchemy would pick the
    psycopg2 driver for those, which Commonweal does not install.
    """
    for prefix in _POSTGRES_PREFIXES:
        if url.startswith(prefix):
            return _PSYCOPG_PREFIX + url[len(prefix) :]
    return url


def sqlite_url(path: Path) -> str:
    """Return the SQLAlchemy URL of the SQLite file at `path` (made absolute)."""
    return f"sqlite:///{path.resolve()}"


def engine_options_for(url: str) -> dict[str, Any]:
    """Return SQLAlchemy engine options suited to the database behind `url`."""
    if url.startswith("postgresql"):
        # Drop connections the server closed while idle instead of failing a request.
        return {"pool_pre_ping": True}
    return {}


def available_cores() -> int:
    """The CPU cores this process may run on (at least one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Config:
    """Settings shared by every environment."""

    ENV_NAME: ClassVar[str] = "base"

    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str = sqlite_url(DEFAULT_SQLITE_PATH)
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}  # noqa: RUF012 - Flask reads it, never mutates
    MIGRATIONS_DIRECTORY: str = str(MIGRATIONS_PATH)
    # SQLite: how long a writer waits for another to finish before "database is locked".
    SQLITE_BUSY_TIMEOUT_MS: int = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "10000"))

    TESTING = False
    # How passwords are stored: werkzeug's scrypt at its own cost (N=32768, r=8, p=1), about
    # 80 ms a hash here, so a stolen table is slow to guess. A stored hash names its own
    # method and cost, so changing this never locks anyone out.
    PASSWORD_HASH_METHOD: str = "scrypt"
    WTF_CSRF_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # A signed-in session lasts a working day; "remember me" cookies get the same protections.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    REMEMBER_COOKIE_DURATION = timedelta(hours=8)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    # Strict-Transport-Security max-age; 0 sends no HSTS header (only production sends one).
    HSTS_SECONDS = 0
    # "1" when a proxy in front sets X-Request-Id: the app then uses that id, if well formed.
    TRUST_REQUEST_ID_HEADER: bool = os.environ.get("TRUST_REQUEST_ID_HEADER", "") == "1"
    # Evidence uploads are documents, not media: refuse anything bigger early.
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    UPLOAD_FOLDER: str = str(INSTANCE_PATH / "uploads")
    # Issuing a round's reports in bulk renders this many PDFs at once, one per process.
    REPORT_PROCESSES: int = available_cores()
    # Reports are made by jobs: on RQ workers when REDIS_URL is set (`make worker` starts one),
    # else in a thread of the web process.
    REDIS_URL: str | None = os.environ.get("REDIS_URL") or None
    REPORT_QUEUE: str = os.environ.get("REPORT_QUEUE", "reports")
    # A running job is stamped this often; one not stamped for REPORT_JOB_STALE_AFTER has lost
    # its worker, and one that no worker took for REPORT_JOB_QUEUED_LIMIT is given up.
    REPORT_JOB_HEARTBEAT_SECONDS = 5.0
    REPORT_JOB_STALE_AFTER = timedelta(seconds=30)
    REPORT_JOB_QUEUED_LIMIT = timedelta(minutes=10)
    # On RQ: the longest one job may run, and how many times a job whose worker crashed is rerun.
    REPORT_JOB_TIMEOUT = 600
    REPORT_JOB_RETRIES = 1

    COUNCIL_NAME: str = os.environ.get("COUNCIL_NAME", "Wellfield Borough Council")
    # Sign-in attempts and other limits; Redis (redis://127.0.0.1:6379) shares them across workers.
    RATELIMIT_STORAGE_URI: str = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Per account (email address typed) and per client address; see webapp/auth/limits.py.
    SIGN_IN_RATE_LIMIT = "10 per minute"
    SIGN_IN_ADDRESS_RATE_LIMIT = "50 per minute"
    EMAIL_FORM_RATE_LIMIT = "5 per minute"
    REGISTER_RATE_LIMIT = "10 per hour"
    # Proxies in front of the app that append to X-Forwarded-For (0: trust no such header).
    PROXY_FIX_X_FOR: int = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    # A signed-in session unused for this long is signed out.
    SESSION_IDLE_TIMEOUT = timedelta(
        minutes=int(os.environ.get("SESSION_IDLE_TIMEOUT_MINUTES", "30"))
    )
    # Mail: "log" writes messages to the application log; "smtp" sends them.
    MAIL_BACKEND: str = os.environ.get("MAIL_BACKEND", "log")
    MAIL_SERVER: str = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT: int = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS: bool = os.environ.get("MAIL_USE_TLS", "") == "1"
    MAIL_USERNAME: str | None = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD: str | None = os.environ.get("MAIL_PASSWORD")
    MAIL_SENDER: str = os.environ.get("MAIL_SENDER", "commonweal@localhost")
    # Links in emails start with this (https://commonweal.council.example) when set, rather than
    # with the Host header of the request that caused them, which a client can forge.
    PUBLIC_BASE_URL: str | None = os.environ.get("PUBLIC_BASE_URL")
    # Judge deadlines by the reverse proxy's X-Request-Start stamp (nginx: `t=${msec}`) rather
    # than by when the request reached the app. Only behind a proxy that sets it on every
    # request: otherwise a client could send an early time of its own.
    TRUST_REQUEST_START_HEADER: bool = os.environ.get("TRUST_REQUEST_START_HEADER", "") == "1"
    # Signs every audit event (HMAC-SHA256); kept outside the database so a database writer
    # cannot forge the log. Production reads it from the environment.
    AUDIT_HMAC_KEY: str | None = None
    # How long each kind of personal record is kept before a person may be erased (ISO 8601
    # durations, counted from the record's last activity); see README, "Data protection".
    RETENTION: ClassVar[dict[str, str]] = {
        "successful_bid": "P7Y",  # contract length plus six years (Limitation Act 1980)
        "unsuccessful_bid": "P7Y",  # a challenge or claim can follow the award
        "self_assessment": "P2Y",
        "user_account_inactive": "P6Y",  # since last sign-in
        "evidence_file": "P7Y",
    }

    def validate(self) -> None:
        """Raise `RuntimeError` if these settings are unsafe to start with."""


class DevelopmentConfig(Config):
    """A single machine: SQLite file under `instance/`, a fixed development secret."""

    ENV_NAME = "development"

    def __init__(self, database_url: str | None = None) -> None:
        url = database_url or os.environ.get("DATABASE_URL") or sqlite_url(DEFAULT_SQLITE_PATH)
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
        self.AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY") or DEVELOPMENT_AUDIT_HMAC_KEY
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(url)
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options_for(self.SQLALCHEMY_DATABASE_URI)


class TestingConfig(Config):
    """Automated tests: database from the argument, else `TEST_DATABASE_URL`, else in memory.

    CSRF protection stays on, as in production; a test that posts a form fetches the token.
    """

    ENV_NAME = "testing"
    TESTING = True
    UPLOAD_FOLDER = ""  # set per test to a temporary directory
    REPORT_PROCESSES = 2
    REDIS_URL = None  # a test that wants the queue sets it
    # Scrypt at 1/32 of the cost: the same code path, without 80 ms per test account.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    __test__ = False  # a settings class, not a test class, whatever pytest guesses from its name

    def __init__(self, database_url: str | None = None) -> None:
        url = database_url or os.environ.get("TEST_DATABASE_URL") or "sqlite://"
        self.SECRET_KEY = TESTING_SECRET_KEY
        self.AUDIT_HMAC_KEY = TESTING_AUDIT_HMAC_KEY
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(url)
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options_for(self.SQLALCHEMY_DATABASE_URI)


class ProductionConfig(Config):
    """A deployment: `SECRET_KEY` and `DATABASE_URL` come from the environment.

    Without `DATABASE_URL` the SQLite file under `instance/` is used, so one machine still works.
    Construction fails with `RuntimeError` when the secret key is missing or weak, or when
    `PUBLIC_BASE_URL` is missing.
    """

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_SECONDS = 365 * 24 * 60 * 60

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.SECRET_KEY = env.get("SECRET_KEY")
        self.PUBLIC_BASE_URL = env.get("PUBLIC_BASE_URL")
        self.AUDIT_HMAC_KEY = env.get("AUDIT_HMAC_KEY")
        url = env.get("DATABASE_URL") or sqlite_url(DEFAULT_SQLITE_PATH)
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(url)
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options_for(self.SQLALCHEMY_DATABASE_URI)
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", "memory://")
        self.REDIS_URL = env.get("REDIS_URL") or None
        self.validate()

    def validate(self) -> None:
        key = self.SECRET_KEY
        advice = (
            "Set SECRET_KEY in the environment to a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters, for example the output of: "
            'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
        if not key:
            raise RuntimeError(
                f"Commonweal will not start in production: SECRET_KEY is not set. {advice}"
            )
        if key.strip().lower() in KNOWN_PLACEHOLDER_SECRET_KEYS:
            raise RuntimeError(
                "Commonweal will not start in production: SECRET_KEY is a published placeholder "
                f"value. {advice}"
            )
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise RuntimeError(
                f"Commonweal will not start in production: SECRET_KEY has {len(key)} characters, "
                f"fewer than {MIN_SECRET_KEY_LENGTH}. {advice}"
            )
        if self.RATELIMIT_STORAGE_URI.startswith("memory://"):
            raise RuntimeError(
                "Commonweal will not start in production: RATELIMIT_STORAGE_URI is memory://, "
                "which gives every worker process its own count of sign-in attempts. Set it to "
                "a Redis server shared by every worker, for example redis://127.0.0.1:6379/0"
            )
        if not (self.PUBLIC_BASE_URL or "").startswith(("https://", "http://")):
            raise RuntimeError(
                "Commonweal will not start in production: PUBLIC_BASE_URL is not set to the "
                "service's address (such as https://commonweal.council.example), which links in "
                "emails start with."
            )
        validate_audit_key(self.AUDIT_HMAC_KEY, key)


def validate_audit_key(audit_key: str | None, secret_key: str) -> None:
    """Refuse production without its own strong `AUDIT_HMAC_KEY` (RuntimeError)."""
    advice = (
        "Set AUDIT_HMAC_KEY in the environment to a random value of at least "
        f"{MIN_SECRET_KEY_LENGTH} characters, different from SECRET_KEY, and keep a copy "
        "outside the database server: every audit event is signed with it."
    )
    if not audit_key:
        raise RuntimeError(
            f"Commonweal will not start in production: AUDIT_HMAC_KEY is not set. {advice}"
        )
    weak = audit_key.strip().lower() in KNOWN_PLACEHOLDER_SECRET_KEYS | {
        DEVELOPMENT_AUDIT_HMAC_KEY,
        TESTING_AUDIT_HMAC_KEY,
    }
    if weak or len(audit_key) < MIN_SECRET_KEY_LENGTH or audit_key == secret_key:
        raise RuntimeError(
            "Commonweal will not start in production: AUDIT_HMAC_KEY is too short, a "
            f"placeholder or the same as SECRET_KEY. {advice}"
        )


CONFIGS: dict[str, type[Config]] = {
    DevelopmentConfig.ENV_NAME: DevelopmentConfig,
    TestingConfig.ENV_NAME: TestingConfig,
    ProductionConfig.ENV_NAME: ProductionConfig,
}


def get_config(name: str | None = None) -> Config:
    """Return the validated settings for environment `name` (default: `$COMMONWEAL_ENV`).

    Raises `RuntimeError` for an unknown name or settings that are unsafe to start with.
    """
    chosen = (name or os.environ.get("COMMONWEAL_ENV") or DevelopmentConfig.ENV_NAME).strip()
    try:
        config_class = CONFIGS[chosen.lower()]
    except KeyError:
        known = ", ".join(sorted(CONFIGS))
        raise RuntimeError(
            f"Unknown Commonweal environment {chosen!r} (from COMMONWEAL_ENV or get_config()). "
            f"Use one of: {known}."
        ) from None
    config = config_class()
    config.validate()
    return config
