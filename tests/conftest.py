"""Fixtures: an app per test on a schema built once per backend by the real migrations.

SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (its public schema is dropped and
rebuilt at the start of the run). After each test every table is emptied, so tests that commit
for real (races, CLI) stay isolated.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid

import pytest
from flask import g, request_started
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text

from app import create_app
from app.config import TestConfig
from app.extensions import db

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
DEFAULT_PASSWORD = "correct-horse-42"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    """A migrated, empty database for the whole run, one per backend."""
    if request.param == "postgresql":
        url = os.environ["TEST_DATABASE_URL"]
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
        db.engine.dispose()
    return url


class Client(FlaskClient):
    """A test client that carries the CSRF token, as a browser with the form open would."""

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            if "csrf_token" not in sess:
                sess["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324
            raw = sess["csrf_token"]
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and isinstance(data, dict) and "csrf_token" not in data:
            kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        return super().post(*args, **kwargs)


def _test_app(database_url: str, **overrides):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, **overrides)
    app.test_client_class = Client
    # The test's app context stays pushed and Flask reuses it for every request, so ``g``
    # (Flask-Login's user, Flask-WTF's token) would carry one client's login into another's
    # request. A real server starts each request with an empty ``g``; so do the tests.
    request_started.connect(_empty_g, app)
    return app


def _clean_up() -> None:
    db.session.remove()
    _empty_all_tables()
    db.engine.dispose()


@pytest.fixture
def app(database_url):
    app = _test_app(database_url)
    with app.app_context():
        yield app
        _clean_up()


@pytest.fixture
def app_settings(database_url):
    """Makes the app with settings of the test's own, for what is fixed when the app is made:
    ``app = app_settings(SQLALCHEMY_ECHO=True)``. Use it instead of ``app``, not beside it."""
    contexts = []

    def _make(**overrides):
        app = _test_app(database_url, **overrides)
        contexts.append(app.app_context())
        contexts[-1].push()
        return app

    yield _make
    for context in reversed(contexts):
        _clean_up()
        context.pop()


def _empty_g(sender, **extra) -> None:
    for key in list(g):
        g.pop(key)


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---- factories ---------------------------------------------------------------------------


class Factory:
    """Builds records through the app's own operations, so they are what the app would make."""

    def __init__(self, app):
        self.app = app
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def township(self, name: str | None = None, villages: tuple[str, ...] = ("石桥村", "太平村")):
        from app.places.operations import create_township, create_village

        township = create_township(name or f"测试{self._next()}镇", actor=None)
        for village in villages:
            create_village(township, village, actor=None)
        db.session.commit()
        return township

    def user(
        self,
        role: str = "clerk",
        township=None,
        username: str | None = None,
        password: str = DEFAULT_PASSWORD,
    ):
        from app.accounts.operations import create_user

        user = create_user(
            username=username or f"{role}{self._next()}",
            role=role,
            password=password,
            township_id=township.id if township is not None else None,
        )
        db.session.commit()
        return user

    def candidate(self, township=None, **overrides):
        import datetime as dt

        from app.accounts.models import User
        from app.core.idcard import make_id_number
        from app.roster.checks import check_candidate
        from app.roster.operations import create_candidate

        township = township or self.township()
        n = self._next()
        values = {
            "name": "张三",
            "id_number": make_id_number("430521", dt.date(1990, 5, 3), (n * 2) % 1000, "M"),
            "political": "01",
            "education": "bachelor",
            "source": "veteran",
            "direction": "party_secretary",
            "phone": "13800138000",
            "village_id": township.villages[0].id,
        } | overrides
        admin = User(role="admin", township_id=None)  # a county-level view for the check
        checked = check_candidate(values, user=admin)
        assert checked.ok, checked.errors
        candidate = create_candidate(checked.values, actor=None)
        db.session.commit()
        return candidate

    def mentor(self, township, actor=None, **overrides):
        """A mentor (帮带导师) of ``township``, made as the mentoring form makes one."""
        from app.accounts.models import User
        from app.mentoring.operations import create_mentor

        values = {
            "name": "李德明",
            "position": "former_secretary",
            "unit": "太平村",
            "phone": "",
            "capacity": 3,
            "notes": "",
            "township_id": township.id,
        } | overrides
        mentor = create_mentor(values, actor=actor or User(role="admin", township_id=None))
        db.session.commit()
        return mentor


@pytest.fixture
def make(app) -> Factory:
    return Factory(app)


def login(client: Client, user, password: str = DEFAULT_PASSWORD):
    response = client.post("/login", data={"username": user.username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def login_as(client):
    def _login(user, password: str = DEFAULT_PASSWORD):
        login(client, user, password)
        return client

    return _login


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def unique() -> str:
    return uuid.uuid4().hex[:8]
