"""Model base: naming convention, UTC timestamps and the township mixin."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# Predictable constraint names, so that migrations can name what they create and drop.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every backend; SQLite keeps no zone, so it stores naive UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


def sort_key_type(length: int) -> String:
    """A string compared byte-wise, so pinyin keys sort alike on SQLite and PostgreSQL."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class CreatedMixin:
    created_dt: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class VersionedMixin:
    """A record two people can edit. Every ORM UPDATE checks and bumps ``version`` (SQLAlchemy's
    version counter), and its edit form carries the version it was opened at: ``save_checked``
    refuses a form opened before someone else's save (``app.core.views``)."""

    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls):  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}


class TownshipMixin:
    """Every township-owned record carries ``township_id``; scoping filters on it."""

    @declared_attr
    def township_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(Integer, ForeignKey("townships.id"), index=True)


def configure_postgresql(engine) -> None:
    """Planner costs for a database that lives in memory or on SSD (``random_page_cost`` 1.1,
    the usual setting there, instead of the spinning-disk default 4).

    With the default, PostgreSQL hashes all 200,000 candidates to check the status of a few
    thousand assessments or pairings rather than look each one up by its key (the dashboard's
    worklists: 150 ms instead of 25). Set per connection, so no server configuration is needed.
    """
    if engine.dialect.name != "postgresql":
        return
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET random_page_cost = 1.1")
        dbapi_connection.commit()  # a SET in a transaction rolled back later would be undone


def configure_sqlite(engine, busy_timeout_ms: int = 10_000) -> None:
    """WAL, a busy timeout and foreign keys for SQLite; and explicit BEGINs.

    pysqlite opens transactions lazily and on its own terms; handing BEGIN to SQLAlchemy lets a
    writer ask for ``BEGIN IMMEDIATE`` (see ``begin_write``) and take the write lock up front.
    """
    if engine.dialect.name != "sqlite":
        return
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Reads through a memory map share the OS page cache across connections and workers,
        # instead of each connection copying pages into its own 2 MB cache: the dashboard's
        # joins over 200,000 candidates take about half the time (docs/benchmarks.md).
        cursor.execute("PRAGMA mmap_size=1073741824")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())
        connection.info["sqlite_write_lock"] = mode == "IMMEDIATE"

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _end(connection):
        connection.info.pop("sqlite_write_lock", None)


def _note_flush(session, _context) -> None:
    """A flush that wrote holds SQLite's write lock until the transaction ends."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.info["sqlite_write_lock"] = True


def begin_write(*lock_rows) -> None:
    """Make the current transaction the one that checks a rule and writes, so that no other
    writer interleaves.

    Check-then-insert races: two clerks both see "no clash" and both insert. On SQLite the
    database's write lock is taken before the check: a transaction that holds it already (begun
    ``IMMEDIATE``, or one that has written) simply goes on, so a write flushed before is kept or
    rolled back with the rest, never committed on the side; a transaction that has only read is
    ended (it changed nothing) and begun again ``IMMEDIATE``: objects read before are expired and
    load afresh. On PostgreSQL the rows the rule hangs on (the post, the candidate, the mentor)
    are locked ``FOR UPDATE``, so a second writer on the same rows waits until the first commits
    and then sees its row. Call it first in the operation, with the parent rows as
    ``(Model, id)``.
    """
    from sqlalchemy import select

    from app.extensions import db

    session = db.session()
    if session.get_bind().dialect.name == "sqlite":
        if session.in_transaction():
            if session.connection().info.get("sqlite_write_lock"):
                return
            if session.new or session.dirty or session.deleted:
                # Ending the read would drop these changes; beginning IMMEDIATE first is the fix.
                raise RuntimeError("begin_write() after unflushed changes in a read transaction")
            session.rollback()
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        return
    for model, ident in lock_rows:
        session.execute(select(model.id).where(model.id == ident).with_for_update())


# Views that read (a request body, a file, a password hash) for a while before they write, and
# call ``begin_write`` themselves only for the short write at the end. Every other write request
# takes SQLite's write lock once its body is in hand, before the view runs.
READ_FIRST_ENDPOINTS = {
    "accounts.login",
    "excel.upload",
    "excel.confirm",
    "static",
    "bootstrap.static",
}


def init_write_transactions(app) -> None:
    """On SQLite, every POST begins its transaction ``IMMEDIATE``, after its body is read.

    In WAL mode a transaction that reads and then writes fails at once with "database is
    locked" (SQLITE_BUSY_SNAPSHOT) when another connection committed in between: the busy
    timeout cannot help it. Taking the write lock before the view's first read makes writers
    queue instead. The body is read first — parsed as a form, files spooled to disk — so a
    client sending slowly holds no lock while it sends. Runs before anything else in the
    request touches the session (the user's loading too).
    """
    from flask import request
    from sqlalchemy.orm import Session

    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
    from sqlalchemy import event

    if not event.contains(Session, "after_flush", _note_flush):
        event.listen(Session, "after_flush", _note_flush)

    @app.before_request
    def _immediate_for_writes():
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if request.endpoint in READ_FIRST_ENDPOINTS:
            return
        request.get_data(cache=True, parse_form_data=True)  # the whole body, before the lock
        begin_write()


def year_of(column):
    """The calendar year of a date or datetime column, as an integer on every backend."""
    from sqlalchemy import Integer, cast, extract

    return cast(extract("year", column), Integer)
