"""Fixtures: one app per backend, on a schema built once per backend by the real migrations.

SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (its public schema is dropped and
rebuilt at the start of the run; under pytest-xdist each worker has a database of its own,
``<name>_gw0``, ``<name>_gw1`` …, made when missing).

Isolation: a test runs in one transaction on one connection, rolled back at its end; the app's
own commits and rollbacks (views, factories, commands run by ``runner``) are savepoints inside
it. A test whose writes another connection must see — threads racing with sessions of their
own, a served app, gunicorn, raw ``sqlite3`` connections, a command that opens its own
connection — is marked ``@pytest.mark.commits``: it commits for real, and every table is
emptied after it. An unmarked test that opens a second connection to the test database fails,
naming the marker, and so does one that leaves rows behind after its rollback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import sqlite3
import threading
import uuid
from dataclasses import dataclass, field
from unittest import mock

import pytest
from flask import current_app, g, has_app_context, request_started
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, event, exists, literal, select, text, union_all
from sqlalchemy.engine import Connection, Engine, make_url

from app import create_app
from app.config import TestConfig
from app.core import clock
from app.extensions import db

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
DEFAULT_PASSWORD = "correct-horse-42"


def _worker_database(url: str) -> str:
    """Under pytest-xdist, a PostgreSQL database of the worker's own beside the given one
    (``test`` → ``test_gw0``), made when missing: workers must not drop each other's schema."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    given = make_url(url)
    name = f"{given.database}_{worker}"
    engine = create_engine(given, isolation_level="AUTOCOMMIT")  # CREATE DATABASE needs it
    try:
        with engine.connect() as conn:
            found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not found:
                # template0 takes no connections, so it is never "being accessed by other
                # users", which makes CREATE DATABASE refuse template1 while anyone is on it.
                conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
    finally:
        engine.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.hookimpl(trylast=True)  # after pytest has grouped the tests by backend
def pytest_collection_modifyitems(items):
    """The gunicorn tests first in each backend's run: they take the longest (10-20 s each on a
    busy machine), and at its end one xdist worker would be left running them alone."""
    runs: list[list] = [[]]
    backend = None
    for item in items:
        callspec = getattr(item, "callspec", None)
        this = callspec.params.get("database_url") if callspec else None
        if this is not None and this != backend:
            runs.append([])
            backend = this
        runs[-1].append(item)
    items[:] = [
        item
        for run in runs
        for item in sorted(run, key=lambda item: item.get_closest_marker("server") is None)
    ]


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    """A migrated, empty database for the whole run, one per backend (and xdist worker)."""
    if request.param == "postgresql":
        url = _worker_database(os.environ["TEST_DATABASE_URL"])
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


class _SharedBytecode(BytecodeCache):
    """Compiled templates kept for the whole run: the apps tests make of their own (with
    ``app_settings``, served ones) would otherwise compile each template again. Jinja checks
    each entry against the template's source, so a changed template is compiled anew."""

    def __init__(self):
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket):
        self._store[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _SharedBytecode()


def make_app(database_url: str, **overrides):
    """The app as tests use it: CSRF-carrying clients, and ``g`` emptied for every request."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, **overrides)
    app.jinja_env.bytecode_cache = _BYTECODE
    app.test_client_class = Client
    # The test's app context stays pushed and Flask reuses it for every request, so ``g``
    # (Flask-Login's user, Flask-WTF's token) would carry one client's login into another's
    # request. A real server starts each request with an empty ``g``; so do the tests.
    request_started.connect(_empty_g, app)
    return app


def _empty_g(sender, **extra) -> None:
    for key in list(g):
        g.pop(key)


# ---- isolation -----------------------------------------------------------------------------


def _same_database(a, b) -> bool:
    a, b = make_url(a), make_url(b)
    if a.get_backend_name() != b.get_backend_name():
        return False
    if a.get_backend_name() == "sqlite":
        return bool(a.database) and _same_file(a.database, b.database)
    return (a.host, a.port, a.database) == (b.host, b.port, b.database)


def _same_file(a, b) -> bool:
    return bool(a and b) and os.path.realpath(os.fspath(a)) == os.path.realpath(os.fspath(b))


@dataclass
class _RolledBack:
    """The test running in a transaction rolled back at its end, and what it did outside it."""

    app: object
    connection: object
    thread: int = field(default_factory=threading.get_ident)
    strays: list[str] = field(default_factory=list)

    def owns(self) -> bool:
        """Sessions of the test's own thread and app join its transaction; any other session
        (another thread's, another app's) gets a connection of its own, which ``stray``
        refuses."""
        return (
            threading.get_ident() == self.thread
            and has_app_context()
            and current_app._get_current_object() is self.app
        )

    def stray(self, how: str) -> None:
        message = (
            f"{how} while the test runs in a transaction that is rolled back at its end: that "
            "connection cannot see the test's writes, and what it commits is never emptied. "
            "Mark the test @pytest.mark.commits."
        )
        self.strays.append(message)
        raise StrayConnection(message)


class StrayConnection(RuntimeError):
    """A second connection to the test database during a rolled-back test."""


_RUNNING: _RolledBack | None = None


def _session_get_bind(plain):
    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        running = _RUNNING
        if bind is None and running is not None and running.owns():
            return running.connection
        return plain(self, mapper=mapper, clause=clause, bind=bind, **kwargs)

    return get_bind


@pytest.fixture(scope="session")
def _sessions_join_the_test():
    """``db.session`` of the running test uses the test's connection, in every request and
    command, also after ``db.session.remove()``; Flask-SQLAlchemy's own choice of engine (its
    ``get_bind``) is kept for every other session."""
    session_class = db.session.session_factory.class_  # this sessionmaker's own subclass
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(session_class, "get_bind", _session_get_bind(session_class.get_bind))
        yield


@event.listens_for(Engine, "engine_connect")
def _other_engine_connects(connection) -> None:
    """Another app's engine on the test database (its own ``create_app``, a served app)."""
    running = _RUNNING
    if running is None or connection.engine is running.connection.engine:
        return
    if _same_database(connection.engine.url, running.connection.engine.url):
        running.stray("Another engine connected to the test database")


def _checked_sqlite_connect(database, *args, **kwargs):
    """``sqlite3.connect`` to the test database (the backup command, a test's own lock)."""
    running = _RUNNING
    if running is not None and running.connection.dialect.name == "sqlite":
        path = os.fspath(database)
        tested = running.connection.engine.url.database
        if not path.startswith("file:") and _same_file(path, tested):
            running.stray("sqlite3.connect() opened the test database")
    return _PLAIN_SQLITE_CONNECT(database, *args, **kwargs)


_PLAIN_SQLITE_CONNECT = sqlite3.connect


def _leftover_tables(connection) -> list[str]:
    """The tables holding any row: none may after a test's rollback."""
    tables = db.metadata.sorted_tables
    stmt = union_all(
        *(select(literal(t.name)).where(exists(select(literal(1)).select_from(t))) for t in tables)
    )
    return list(connection.scalars(stmt))


class _TestConnection(Connection):
    """The test's connection logs its SQL as the engine's logger is set at each statement.

    A plain connection decides once, when it is made, and the test's is made before the test
    body turns logging on (``tests/test_log_privacy.py``), where a request's would be made after.
    """

    @property
    def _echo(self) -> bool:
        return self.engine._should_log_info()

    @_echo.setter
    def _echo(self, _value) -> None:
        pass


@contextlib.contextmanager
def _rolled_back(app):
    """The body runs in one transaction on one connection, rolled back afterwards; every
    ``commit()``/``rollback()`` of ``db.session`` meanwhile releases or rolls back a savepoint.

    On SQLite ``connection.begin()`` goes through the engine's ``begin`` event, which issues the
    BEGIN itself (pysqlite's own transaction handling is off, ``app.core.db``): SAVEPOINTs need
    that outer BEGIN, or the first RELEASE would commit. A flush marks the connection as holding
    the write lock, which it does until the rollback, so ``begin_write`` goes on in the
    transaction rather than ending it.
    """
    global _RUNNING
    engine = db.engine
    connection = _TestConnection(engine)
    outer = connection.begin()
    factory = db.session.session_factory
    saved = dict(factory.kw)
    factory.configure(join_transaction_mode="create_savepoint")
    running = _RolledBack(app, connection)
    _RUNNING = running
    try:
        with mock.patch.object(sqlite3, "connect", _checked_sqlite_connect):
            yield running
    finally:
        _RUNNING = None
        db.session.remove()
        outer.rollback()
        connection.close()
        factory.kw.clear()
        factory.kw.update(saved)
    with engine.connect() as conn:
        leftover = _leftover_tables(conn)
    if leftover:
        _empty_all_tables()
    if running.strays or leftover:
        pytest.fail(
            "\n".join(running.strays)
            or f"Rows committed outside the test's transaction, in {', '.join(leftover)}: "
            "mark the test @pytest.mark.commits.",
            pytrace=False,
        )


def _needs_commits(request) -> bool:
    # app_settings makes apps of the test's own, with engines of their own.
    return bool(request.node.get_closest_marker("commits")) or (
        "app_settings" in request.fixturenames
    )


@pytest.fixture(scope="session")
def _shared_app(database_url, _sessions_join_the_test):
    """The backend's app, made once: making one per test took a quarter of the run (its URL
    map compiled again), and each new engine compiled every SQL statement anew."""
    app = make_app(database_url)
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "checkout")
    def _second_connection(dbapi_connection, record, proxy):
        running = _RUNNING
        if running is not None and running.app is app:
            running.stray("A second connection was taken from the app's pool")

    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(request, _shared_app):
    """The backend's app, in an app context of the test's own; the test runs in a transaction
    rolled back at its end, or (marked ``commits``) commits for real and every table is emptied
    after it. Whatever it changes in ``app.config`` is put back. A test that needs settings of
    its own at the app's making uses ``app_settings``."""
    app = _shared_app
    config = dict(app.config)
    registries = {key: list(value) for key, value in _registries(app).items()}
    shape = _shape(app)
    try:
        with app.app_context():
            if _needs_commits(request):
                try:
                    yield app
                finally:
                    db.session.remove()
                    _empty_all_tables()
            else:
                with _rolled_back(app):
                    yield app
    finally:
        app.config.clear()
        app.config.update(config)
        for key, value in registries.items():
            _registries(app)[key][:] = value
    assert _shape(app) == shape, "the test changed the shared app: use app_settings"


@pytest.fixture
def transaction(app):
    """The running test's rolled-back transaction (``None`` when the test commits): for the
    tests of this isolation itself, ``tests/test_isolation.py``."""
    return _RUNNING


def _registries(app) -> dict[str, list]:
    """What areas register on the app for shared pages (``app.core.sections``): a test may add
    to them, e.g. a timeline provider of its own."""
    return app.extensions.get("roster_candidate", {})


def _shape(app) -> tuple:
    """What else a test could add to the shared app and leave for the next tests to meet."""
    return (
        sorted(app.extensions),
        sorted(app.view_functions),
        {key: len(funcs) for key, funcs in app.before_request_funcs.items()},
        {key: len(funcs) for key, funcs in app.after_request_funcs.items()},
        {key: len(funcs) for key, funcs in app.teardown_request_funcs.items()},
        sorted(app.jinja_env.globals),
        sorted(app.jinja_env.filters),
        {key: len(funcs) for key, funcs in app.template_context_processors.items()},
    )


@pytest.fixture
def app_settings(database_url):
    """Makes the app with settings of the test's own, for what is fixed when the app is made:
    ``app = app_settings(SQLALCHEMY_ECHO=True)``. Use it instead of ``app``, not beside it.
    Its engine is its own, so the test commits for real (as if marked ``commits``)."""
    contexts = []

    def _make(**overrides):
        app = make_app(database_url, **overrides)
        contexts.append(app.app_context())
        contexts[-1].push()
        return app

    yield _make
    for context in reversed(contexts):
        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()
        context.pop()


def _empty_all_tables() -> None:
    """Every table emptied, children first, and (PostgreSQL) every id sequence back at 1.

    DELETE rather than PostgreSQL's TRUNCATE: a test leaves a few rows, and TRUNCATE's new files
    for 27 tables took 100-250 ms after every test (4 minutes of a PostgreSQL run), DELETE 10 ms.
    """
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
        if conn.dialect.name == "postgresql":
            conn.execute(
                text(
                    "SELECT setval(c.oid, 1, false) FROM pg_class c "
                    "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"
                )
            )


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

    def candidate(self, township=None, status: str = "nominated", **overrides):
        """A candidate entered as the form enters one, then moved to ``status`` the way the app
        moves it: approved into the pool, returned, used or withdrawn with its outcome."""
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
        clean = checked(check_candidate(values, user=county()))  # checked at county level
        candidate = create_candidate(clean, actor=None)
        db.session.commit()
        if status != "nominated":
            self.move(candidate, status)
        return candidate

    def move(self, candidate, status: str, actor=None):
        """Move a candidate along its lifecycle as a secretary (or the county) would."""
        from app.roster.operations import change_status

        actor = actor or county()
        if status in ("inspecting", "in_pool", "returned"):
            change_status(candidate, status, actor=actor, reason="经党委会研究")
        elif status == "used":
            self.move(candidate, "in_pool", actor)
            self.use(candidate, actor=actor)
        elif status == "withdrawn":
            self.move(candidate, "in_pool", actor)
            self.withdraw(candidate, actor=actor)
        else:
            raise ValueError(f"no way to {status!r}")
        db.session.commit()
        return candidate

    def use(self, candidate, actor=None, **raw):
        """The outcome 已使用 (当选村党组织书记 by default), written by the outcome form's path."""
        from app.assessment.checks import check_use
        from app.assessment.operations import record_use

        raw = {
            "outcome": "party_secretary",
            "place": candidate.village.name,
            "decided_on": clock.today().isoformat(),
        } | raw
        row = record_use(
            candidate, checked(check_use(raw, today=clock.today())), actor=actor or county()
        )
        db.session.commit()
        return row

    def withdraw(self, candidate, actor=None, **raw):
        """The outcome 已退出 (外出 by default), written by the outcome form's path."""
        from app.assessment.checks import check_withdrawal
        from app.assessment.operations import record_withdrawal

        raw = {
            "reason": "away",
            "detail": "赴外地务工，无法履行培养任务",
            "decided_on": clock.today().isoformat(),
        } | raw
        values = checked(check_withdrawal(raw, today=clock.today()))
        row = record_withdrawal(candidate, values, actor=actor or county())
        db.session.commit()
        return row

    def assessment(self, candidate, actor=None, **raw):
        """An assessment (last year's 年终考核 by default), saved as the assessment form saves."""
        from app.assessment.checks import check_assessment
        from app.assessment.operations import save_assessment

        raw = {
            "kind": "annual",
            "period": str(clock.today().year - 1),
            "assessed_on": clock.today().isoformat(),
            "score_de": "90",
            "score_neng": "85",
            "score_qin": "80",
            "score_ji": "75",
            "score_lian": "95",
            "grade": "competent",
            "note_overall": "总体称职，继续培养",
        } | raw
        values = checked(check_assessment(raw, today=clock.today()))
        made = save_assessment(candidate, values, actor=actor or county())
        db.session.commit()
        return made

    def mentor(self, township, actor=None, **overrides):
        """A mentor (帮带导师) of ``township``, made as the mentoring form makes one."""
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
        mentor = create_mentor(values, actor=actor or county())
        db.session.commit()
        return mentor

    def pairing(self, candidate, mentor, start_on, end_on, goals: str = "熟悉村务", actor=None):
        """A mentor pairing (结对帮带), its rules checked as the pairing form's are."""
        from app.mentoring.operations import create_pairing

        values = {"mentor_id": mentor.id, "start_on": start_on, "end_on": end_on, "goals": goals}
        pairing = create_pairing(candidate.id, values, actor=actor or county())
        db.session.commit()
        return pairing

    def activity(self, pairing, held_on, actor=None, **raw):
        """A mentoring activity logged on a pairing, as the pairing page logs one."""
        from app.mentoring.checks import check_activity
        from app.mentoring.operations import add_activity

        raw = {
            "held_on": held_on.isoformat(),
            "form": "face_to_face",
            "hours": "2",
            "content": "讲解村级事务流程",
        } | raw
        values = checked(check_activity(raw, today=held_on))
        made = add_activity(pairing, values, actor=actor or county())
        db.session.commit()
        return made

    def village_pairing(self, village_a, village_b, start_on, end_on, actor=None, **raw):
        """Two villages paired (强弱联合 by default)."""
        from app.mentoring.checks import check_village_pairing
        from app.mentoring.operations import create_village_pairing

        raw = {
            "village_a_id": str(village_a.id),
            "village_b_id": str(village_b.id),
            "kind": "strong_weak",
            "start_on": start_on.isoformat(),
            "end_on": end_on.isoformat(),
            "purpose": "以强带弱，共同发展集体经济",
        } | raw
        values = checked(check_village_pairing(raw))
        made = create_village_pairing(values, actor=actor or county())
        db.session.commit()
        return made

    def post(self, township, actor=None, **raw):
        """A trial post (一线实践 by default) of ``township``, as the post form makes one."""
        from app.posts.checks import check_post
        from app.posts.operations import create_post

        actor = actor or county()
        raw = {
            "township_id": str(township.id),
            "kind": "frontline",
            "name": f"信访接待{self._next()}",
            "capacity": "2",
            "is_active": "y",
        } | raw
        post = create_post(checked(check_post(raw, user=actor)), actor=actor)
        db.session.commit()
        return post

    def batch(self, township, start_on, end_on, actor=None, **raw):
        """A batch (批次) of trial placements."""
        from app.posts.checks import check_batch
        from app.posts.operations import create_batch

        actor = actor or county()
        raw = {
            "township_id": str(township.id),
            "name": f"第{self._next()}批",
            "start_on": start_on.isoformat(),
            "end_on": end_on.isoformat(),
        } | raw
        batch = create_batch(checked(check_batch(raw, user=actor)), actor=actor)
        db.session.commit()
        return batch

    def placement(self, candidate, post, start_on, end_on, batch=None, actor=None, **raw):
        """A trial placement, its rules (overlap, capacity, township) checked as the form's."""
        from app.posts.checks import check_placement
        from app.posts.operations import create_placement

        actor = actor or county()
        raw = {
            "post_id": str(post.id),
            "batch_id": str(batch.id) if batch else "",
            "start_on": start_on.isoformat(),
            "end_on": end_on.isoformat(),
            "goal": "熟悉为民服务流程，学会办理常见事项",
        } | raw
        values = checked(check_placement(raw, user=actor, candidate=candidate))
        placement = create_placement(values, actor=actor)
        db.session.commit()
        return placement

    def programme(self, township=None, start_on=None, end_on=None, actor=None, **raw):
        """A training programme (培养计划): the county's, or ``township``'s."""
        from app.training.checks import check_programme
        from app.training.operations import create_programme

        today = clock.today()
        raw = {
            "name": f"雏雁工程{self._next()}",
            "target_group": "35 岁以下在库后备干部",
            "start_on": (start_on or today - dt.timedelta(days=200)).isoformat(),
            "end_on": (end_on or today + dt.timedelta(days=500)).isoformat(),
            "township_id": str(township.id) if township else "",
        } | raw
        values = checked(check_programme(raw, county_level=True))
        programme = create_programme(values, actor=actor or county())
        db.session.commit()
        return programme

    def training_round(self, programme, starts_on, days: int = 3, actor=None, **raw):
        """A round (轮次) of a programme: its days of 集中培训 and the practice assignment."""
        from app.training.checks import check_round
        from app.training.operations import create_round

        ends_on = starts_on + dt.timedelta(days=days - 1)
        raw = {
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "place": "县委党校",
            "topics": "村级组织建设\n乡村振兴政策",
            "assignment_title": "本村发展调研报告",
            "assignment_due_on": (ends_on + dt.timedelta(days=45)).isoformat(),
        } | raw
        made = create_round(programme, checked(check_round(raw)), actor=actor or county())
        db.session.commit()
        return made

    def enrol(self, programme, *candidates, actor=None):
        """Candidates enrolled in a programme, as the enrolment page enrols them."""
        from app.training.operations import enrol

        made = enrol(programme, [c.id for c in candidates], actor=actor or county())
        db.session.commit()
        return made

    def seat(self, village, actor=None, **raw):
        """A village 两委 seat (党组织书记 by default), as the seat form saves one."""
        from app.places.operations import check_seat, save_seat

        actor = actor or county()
        raw = {
            "village_id": str(village.id),
            "kind": "party_secretary",
            "holder_name": "孙国强",
            "holder_birth_date": "1966-04-02",
            "term_end": "2026-12-31",
        } | raw
        values, errors = check_seat(raw, user=actor)
        assert not errors, errors
        seat = save_seat(None, values, actor=actor)
        db.session.commit()
        return seat

    def upload(self, user, data: bytes, file_name: str = "花名册.xlsx"):
        """An Excel roster kept for its preview, as the upload page keeps one for ``user``."""
        from app.excel.operations import keep_upload

        upload = keep_upload(data, file_name, user=user)
        db.session.commit()
        return upload


def county():
    """A county-level admin that is no row: the actor of records tests make directly."""
    from app.accounts.models import User

    return User(role="admin", township_id=None)


def checked(result) -> dict:
    """The values a form's check read; the test fails on any error it found."""
    assert result.ok, result.errors
    return result.values


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
