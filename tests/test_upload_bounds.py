"""An upload never keeps the county waiting (issue 13, part 1), in-process on both backends.

- Crafted workbooks (``tests.crafted``) are refused with a message naming the limit, before
  openpyxl walks them; every row of the sheet counts, blank or not.
- The write lock (SQLite) is taken only for the short write at the end of an upload, and a
  write request takes it only once its body is read.
- A "database is locked" that escapes is a 503 page asking to retry, never a bare 500.
- ``begin_write`` composes: a write flushed before it is kept or rolled back with the rest.

The same files against a real gunicorn server, with other users working meanwhile, are in
``test_upload_availability.py``.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from app.core.db import begin_write
from app.excel.models import ExcelUpload
from app.excel.reading import CLI_MAX_ROWS, MAX_ROWS, read_sheet
from app.excel.safety import FileRefused
from app.extensions import db
from app.places.models import Township
from tests import crafted
from tests.test_excel_import import count, page_text, person, upload, xlsx

pytest_plugins = ["tests.test_excel_import"]  # its ``places`` and ``clerk`` fixtures

ROW_LIMIT = f"一次最多导入 {MAX_ROWS:,} 行"


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (crafted.blank_rows, ROW_LIMIT),
        (crafted.honest_rows, ROW_LIMIT),
        (crafted.far_row, ROW_LIMIT),
        (crafted.many_strings, "共享文本表超过"),
        (crafted.wide_row, "单元格超过"),
    ],
    ids=lambda v: getattr(v, "__name__", "")[:20],
)
def test_crafted_workbooks_are_refused_naming_the_limit(clerk, make_file, message):
    _, client = clerk
    response = upload(client, make_file())
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(ExcelUpload) == 0


def _rows_then_blanks(data_rows: int, blank_rows: int) -> bytes:
    """An openpyxl-made roster of ``data_rows`` people, then rows that only hold a 备用 cell."""
    rows = [person(所在村="石桥村") for _ in range(data_rows)]
    headers = [*rows[0].keys(), "备用"]
    filler = [{"备用": "x"} for _ in range(blank_rows)]
    return xlsx([*rows, *filler], headers=headers)


def test_rows_with_nothing_to_import_count_towards_the_limit():
    """2 people and MAX_ROWS rows whose only cell is in an ignored column: refused (they were
    never counted, so a sheet of millions was walked to its end)."""
    with pytest.raises(FileRefused, match=ROW_LIMIT):
        read_sheet(_rows_then_blanks(2, MAX_ROWS))
    assert len(read_sheet(_rows_then_blanks(2, MAX_ROWS - 2)).rows) == 2


def test_the_command_line_limit_is_its_own():
    data = crafted.blank_rows(MAX_ROWS * 2)
    with pytest.raises(FileRefused, match=ROW_LIMIT):
        read_sheet(data)
    with pytest.raises(FileRefused, match="下面没有要导入的数据"):  # read to its end: all blank
        read_sheet(data, max_rows=CLI_MAX_ROWS)


# ---- the write lock ----------------------------------------------------------------------


def _sqlite_path(app) -> str:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("SQLite's database-wide write lock; PostgreSQL locks rows")
    return url.removeprefix("sqlite:///")


class Holder:
    """Another connection holding SQLite's write lock, as a long writer would."""

    def __init__(self, path: str):
        self.connection = sqlite3.connect(path, timeout=0, isolation_level=None)
        self.connection.execute("BEGIN IMMEDIATE")

    def release(self):
        self.connection.execute("ROLLBACK")
        self.connection.close()


@pytest.mark.commits  # another connection tries the write lock
def test_an_upload_is_read_and_checked_without_the_write_lock(clerk, app, monkeypatch):
    """While the workbook is parsed nobody else is locked out: another connection takes the
    write lock (and gives it back) from inside the parse."""
    path = _sqlite_path(app)
    _, client = clerk
    seen = []

    def read_and_probe(*args, **kwargs):
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            seen.append("free")
        except sqlite3.OperationalError as exc:
            seen.append(str(exc))
        finally:
            other.close()
        return read_sheet(*args, **kwargs)

    monkeypatch.setattr("app.excel.views.read_sheet", read_and_probe)
    response = upload(client, xlsx([person()]))
    assert response.status_code == 302
    token = response.headers["Location"].rsplit("/", 1)[-1]
    assert client.get(f"/candidates/import/{token}").status_code == 200
    assert client.post(f"/candidates/import/{token}", data={}).status_code == 302
    assert seen == ["free", "free", "free"]  # upload, preview, confirmation


@pytest.mark.commits  # another connection tries the write lock
def test_a_write_request_takes_the_lock_only_once_its_body_is_read(clerk, app, monkeypatch):
    """The form is parsed before ``BEGIN IMMEDIATE``: a client sending its body slowly holds
    no lock meanwhile (the body is read from the stream while another writer holds it)."""
    path = _sqlite_path(app)
    user, client = clerk
    holder = {}
    from werkzeug import formparser

    parse = formparser.FormDataParser.parse

    def parse_while_another_writes(self, *args, **kwargs):
        holder["lock"] = Holder(path)  # would block a request that took the lock first
        try:
            return parse(self, *args, **kwargs)
        finally:
            holder.pop("lock").release()

    monkeypatch.setattr(formparser.FormDataParser, "parse", parse_while_another_writes)
    response = client.post("/account/password", data={"current": "x", "new": "y", "again": "y"})
    assert response.status_code in (200, 302, 422)


def test_a_lock_held_too_long_is_a_503_asking_to_retry(make, places, app_settings):
    app = app_settings(ROSTER_SQLITE_BUSY_MS=50)
    path = _sqlite_path(app)
    from tests.conftest import DEFAULT_PASSWORD

    user = make.user("clerk", township=places[0])
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": DEFAULT_PASSWORD})
    holder = Holder(path)
    try:
        response = client.post("/logout", data={})
    finally:
        holder.release()
    assert response.status_code == 503
    assert "请稍后重试" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "5"


# ---- begin_write composes ------------------------------------------------------------------


@pytest.mark.parametrize("end", ["rollback", "commit"])
def test_a_write_flushed_before_begin_write_ends_with_the_rest(app, end):
    db.session.add(Township(name="先写的镇"))
    db.session.flush()
    begin_write()
    db.session.add(Township(name="后写的镇"))
    getattr(db.session, end)()
    names = sorted(db.session.scalars(select(Township.name)).all())
    assert names == ([] if end == "rollback" else sorted(["先写的镇", "后写的镇"]))


@pytest.mark.commits  # another connection tries the write lock
def test_begin_write_after_a_read_starts_a_writing_transaction(app):
    """A read-only transaction is ended and begun again: no other writer can slip in."""
    db.session.scalars(select(Township)).all()
    begin_write()
    if db.engine.dialect.name == "sqlite":
        path = _sqlite_path(app)
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    db.session.rollback()


def test_begin_write_refuses_to_drop_unflushed_changes(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL keeps the transaction and locks rows")
    db.session.scalars(select(Township)).all()
    with db.session.no_autoflush:
        db.session.add(Township(name="未写的镇"))
        with pytest.raises(RuntimeError, match="unflushed"):
            begin_write()
    db.session.rollback()


def test_two_imports_of_one_upload_write_it_once(clerk, app):
    """Two confirmations of one preview: the second finds the upload gone under the lock."""
    _, client = clerk
    response = upload(client, xlsx([person()]))
    token = response.headers["Location"].rsplit("/", 1)[-1]
    answers = [client.post(f"/candidates/import/{token}", data={}).status_code for _ in range(2)]
    assert answers == [302, 404]
    from app.roster.models import Candidate

    assert count(Candidate) == 1
