"""Settings from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click

PROJECT_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_DIR / "instance"
MIGRATIONS_DIR = PROJECT_DIR / "migrations"


# Spellings an environment flag may take; anything else is refused rather than guessed at.
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_flag(name: str, default: bool) -> bool:
    """A yes/no setting from the environment; unset or empty gives ``default``.

    A value it cannot read stops the app instead of falling back: a mistyped
    ``ROSTER_SECURE_COOKIES=flase`` should not quietly leave the cookies as they were.
    """
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise RuntimeError(f"{name}={raw!r} is not understood: use 1/0, true/false, on/off or yes/no.")


def _development_secret_key() -> str:
    """In development a key is made once and kept in ``instance/`` so sessions survive restarts."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    ENVIRONMENT = os.environ.get("ROSTER_ENV", "production")
    DEVELOPMENT = ENVIRONMENT == "development"
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'roster.db'}"
    )
    # The factory adds hide_parameters to whatever options are set (app.core.logs).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead: a clerk's long form stays valid
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # A browser sends a Secure cookie back over HTTPS only: an intranet served over plain HTTP
    # must turn them off, or no form (the login first) is ever accepted there.
    SESSION_COOKIE_SECURE = env_flag("ROSTER_SECURE_COOKIES", not DEVELOPMENT)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    ROSTER_PAGE_SIZE = 50
    # Dates (today, ages, due lists) and times shown are the county's, not the server's.
    ROSTER_TIMEZONE = os.environ.get("ROSTER_TIMEZONE", "Asia/Shanghai")
    ROSTER_ADMIN_PASSWORD = os.environ.get("ROSTER_ADMIN_PASSWORD")
    # Failed logins allowed in a window, per username and per client address (app.accounts.throttle)
    ROSTER_LOGIN_MAX_FAILURES = 5
    ROSTER_LOGIN_MAX_ADDRESS_FAILURES = 20
    ROSTER_LOGIN_WINDOW_MINUTES = 15
    ROSTER_IDLE_MINUTES = int(os.environ.get("ROSTER_IDLE_MINUTES", "30"))
    # How long a SQLite writer waits for another's write lock before its request answers 503.
    ROSTER_SQLITE_BUSY_MS = 10_000
    # How many proxies stand in front of the app. 0 (the default): the peer's address is the
    # client's, and X-Forwarded-* headers, which anyone can send, are ignored.
    ROSTER_PROXY_COUNT = int(os.environ.get("ROSTER_PROXY_COUNT", "0") or "0")

    @classmethod
    def finalise(cls, config: dict) -> None:
        """Fill what depends on the environment; refuse to serve production without a key.

        Command-line use (``flask --app app db upgrade``, ``create-user`` …) signs no cookie, so
        it gets a throwaway key; a server (gunicorn) without SECRET_KEY stops at start-up.
        """
        if config.get("SECRET_KEY"):
            return
        if config.get("DEVELOPMENT") or config.get("TESTING"):
            config["SECRET_KEY"] = _development_secret_key()
        elif click.get_current_context(silent=True) is not None:
            config["SECRET_KEY"] = secrets.token_hex(32)
        else:
            raise RuntimeError(
                "SECRET_KEY is not set. Set it in the environment (e.g. "
                "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')), "
                "or run with ROSTER_ENV=development."
            )


class TestConfig(Config):
    TESTING = True
    DEVELOPMENT = True
    ENVIRONMENT = "test"
    SECRET_KEY = "test-secret-key"  # noqa: S105 — tests only
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    # Fast hashing in tests only; production keeps argon2's defaults.
    ROSTER_PASSWORD_HASH_FAST = True
