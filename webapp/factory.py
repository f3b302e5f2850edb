"""`create_app()`: a configured Commonweal Flask application (imported as `webapp.create_app`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import BytecodeCache, ChoiceLoader, PackageLoader, PrefixLoader
from jinja2.bccache import Bucket

from config import get_config
from webapp import navigation, observability, request_timing, security_headers, templating
from webapp.auth import limits as auth_limits
from webapp.cli import register_cli
from webapp.errors import register_error_handlers
from webapp.extensions import configure_sqlite, csrf, db, limiter, login_manager, migrate


def create_app(config: object | Mapping[str, Any] | None = None) -> Flask:
    """Create the app.

    `config` is a settings object (such as `config.TestingConfig()`), or a mapping of settings
    laid over the environment's defaults, or `None` for the environment's defaults alone
    (`COMMONWEAL_ENV`, see `config.get_config`).
    """
    app = Flask("webapp", static_url_path="/assets", instance_relative_config=True)

    if config is None or isinstance(config, Mapping):
        app.config.from_object(get_config())
        if config is not None:
            app.config.from_mapping(config)
    else:
        app.config.from_object(config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    observability.init_app(app)
    security_headers.init_app(app)
    _configure_templates(app)
    templating.init_app(app)
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine, int(app.config["SQLITE_BUSY_TIMEOUT_MS"]))
    migrate.init_app(app, db, directory=app.config["MIGRATIONS_DIRECTORY"])
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    auth_limits.init_app(app)

    # Imported here so the tables are known to SQLAlchemy and Alembic once an app exists.
    from webapp import models  # noqa: F401
    from webapp.admin import bp as admin_bp
    from webapp.auth import roles  # noqa: F401  (registers the user loader)
    from webapp.auth.views import bp as auth_bp
    from webapp.board import bp as board_bp
    from webapp.commissioning import bp as commissioning_bp
    from webapp.evaluation import bp as evaluation_bp
    from webapp.evidence import bp as evidence_bp
    from webapp.provider import bp as provider_bp
    from webapp.public import bp as public_bp
    from webapp.reports import bp as reports_bp
    from webapp.reports import provider_bp as provider_reports_bp
    from webapp.styles import bp as styles_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(commissioning_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(evidence_bp)
    app.register_blueprint(provider_bp)
    app.register_blueprint(evaluation_bp)
    app.register_blueprint(board_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(provider_reports_bp)
    app.register_blueprint(styles_bp)
    navigation.init_app(app)
    register_error_handlers(app)
    register_cli(app)
    request_timing.init_app(app)  # last, so it is outermost and stamps the arrival first
    return app


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates shared by every app in this process.

    Each app gets a fresh Jinja environment; without this, every new app (every test, every
    worker) compiles the large GOV.UK macro templates again. Entries are keyed by template name
    and a checksum of its source, so an edited template is compiled afresh.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_BYTECODE = _MemoryBytecodeCache()


def _configure_templates(app: Flask) -> None:
    """Look up templates in the app first, then GOV.UK Frontend's Jinja ports by prefix."""
    app.jinja_options = {**app.jinja_options, "bytecode_cache": _TEMPLATE_BYTECODE}
    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("webapp"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)
