"""Application factory: wires extensions, blueprints, error pages, commands and logging."""

from __future__ import annotations

import logging
import os
import re
import uuid
from typing import Any

import flask_babel
from flask import Flask, g, has_request_context, request, session
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

import config as config_module
from extensions import (
    babel,
    cache,
    configure_postgresql,
    configure_sqlite,
    csrf,
    db,
    limiter,
    login_manager,
    migrate,
)
from forum.body_limit import ChunkedBodyLimit

logger = logging.getLogger(__name__)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class DatabaseId(IntegerConverter):
    """`<int:...>` in routes: a positive 32-bit integer, so a huge id is a 404, not a 500."""

    def __init__(self, map, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, **kwargs)


def create_app(config: object | dict[str, Any] | None = None) -> Flask:
    """Build the app; `config` is a config class or object, or a dict of overrides for tests."""
    app = Flask(__name__, instance_path=str(config_module.INSTANCE_DIR))
    app.url_map.converters["int"] = DatabaseId  # /comments/<int:id> never overflows a column
    _load_config(app, config)
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_services(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def _load_config(app: Flask, config: object | dict[str, Any] | None) -> None:
    if isinstance(config, dict):
        app.config.from_object(config_module.TestConfig)
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    else:
        name = os.environ.get("SOUNDING_BOARD_ENV", "development")
        chosen = config_module.CONFIGS[name]
        app.config.from_object(chosen() if name == "production" else chosen)
    if not app.config.get("SECRET_KEY"):
        if not app.config.get("DEVELOPMENT_SECRET_KEY_FILE"):
            raise RuntimeError("SECRET_KEY is not set.")
        app.config["SECRET_KEY"] = config_module.development_secret_key(config_module.INSTANCE_DIR)


def register_logging(app: Flask) -> None:
    class RequestIdFilter(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            try:
                record.request_id = g.get("request_id", "-")
            except RuntimeError:  # outside a request or app context
                record.request_id = "-"
            return True

    if not app.testing and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.addFilter(RequestIdFilter())
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
        )
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(app.config.get("LOG_LEVEL", "INFO"))


def register_extensions(app: Flask) -> None:
    hops = app.config.get("TRUSTED_PROXY_HOPS", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    if app.config.get("MAX_CONTENT_LENGTH"):
        app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])  # type: ignore[method-assign]
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    import forum.auth  # registers the user loader
    import forum.cache  # noqa: F401 - keeps cached threads in step with their comments

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        elif db.engine.dialect.name == "postgresql":
            configure_postgresql(db.engine)


def select_locale() -> str | None:
    if not has_request_context():  # commands and jobs use the default locale
        return None
    supported = list(_current_languages())
    chosen = session.get("locale")
    if chosen in supported:
        return chosen
    if (
        current_user
        and current_user.is_authenticated
        and current_user.preferred_locale in supported
    ):
        return current_user.preferred_locale
    return request.accept_languages.best_match(supported) or supported[0]


def _current_languages() -> dict[str, str]:
    from flask import current_app

    return current_app.config["LANGUAGES"]


def register_blueprints(app: Flask) -> None:
    from forum.views import accounts, public, staff, surveys

    app.register_blueprint(public.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(surveys.bp)

    import analysis
    import moderation

    moderation.init_app(app)
    analysis.init_app(app)

    # Last: the open-data API, with what moderation and analysis publish through it.
    from analysis.open_data import PUBLISHED_PACKETS
    from forum import api
    from moderation.open_data import MODERATION_REPORT

    api.init_app(app, resources=[MODERATION_REPORT, PUBLISHED_PACKETS])


def register_services(app: Flask) -> None:
    """Mail, notifications, and the job queue with the tasks the packages declared."""
    import jobs
    from forum import mail, notifications

    mail.init_app(app)
    notifications.init_app(app)
    jobs.queue.init_app(app)


def register_request_hooks(app: Flask) -> None:
    from forum.auth import enforce_staff_timeouts
    from forum.submissions import is_no_store

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex

    # Flask-Babel keeps the chosen locale on the application context, which a request shares
    # with whoever pushed it (a test, a CLI command): choose afresh for each request.
    app.before_request(flask_babel.refresh)

    @app.before_request
    def forget_the_previous_requests_user() -> None:
        # A request reuses an app context someone already pushed (a test, a command), and
        # Flask-Login caches the user on `g`: load it afresh from this request's own cookie.
        g.pop("_login_user", None)

    app.before_request(enforce_staff_timeouts)

    @app.before_request
    def refuse_nul_characters():
        """NUL cannot be stored in PostgreSQL text and has no place in a form: refuse it clearly."""
        values = [request.path, *request.args.values()]
        if request.method in ("POST", "PUT", "PATCH"):
            values += [value for _key, value in request.form.items(multi=True)]
        if any("\x00" in value for value in values):
            from forum.errors import error_page

            return error_page(
                400,
                _("Character not accepted"),
                _(
                    "What you sent contains a NUL character (code 0), which cannot be stored. "
                    "Remove it (it often comes from pasting) and send again."
                ),
            )
        return None

    @app.after_request
    def security_headers(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config.get("HSTS"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        # Signed-in pages, and pages with a form key or a receipt (forum.submissions.no_store).
        view = app.view_functions.get(request.endpoint or "")
        if is_no_store(view) or (current_user and current_user.is_authenticated):
            response.headers["Cache-Control"] = "no-store"
        return response


def register_template_helpers(app: Flask) -> None:
    from forum import templating

    templating.register(app)


def register_errorhandlers(app: Flask) -> None:
    from forum import errors

    errors.register(app)


def register_commands(app: Flask) -> None:
    from forum import cli as forum_cli

    forum_cli.register(app)
