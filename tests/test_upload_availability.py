"""A crafted upload does not hurt other users, on a real gunicorn server (issue 13, part 1).

One township's clerk uploads the crafted 3,000,000-row workbook again and again, and another
sends an upload's body slowly; meanwhile another township's clerk saves dynamic notes and a
secretary logs in. Every one of their requests succeeds (on SQLite a parse used to hold the
database's write lock, and they answered 500 "database is locked" after 10 s), and every
upload is refused naming the limit. ``python -m bench.upload`` prints the times.
"""

from __future__ import annotations

import secrets
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app import create_app
from app.assessment.models import DynamicNote
from app.config import TestConfig
from app.excel.reading import MAX_ROWS
from app.extensions import db
from bench.serving import Gunicorn, User
from bench.upload import SlowUpload, Uploads, note_and_login
from tests import crafted
from tests.conftest import DEFAULT_PASSWORD, Factory
from tests.test_worker_kill import served_database  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.server, pytest.mark.commits]  # gunicorn reads what the test wrote
ROUNDS = 3


@pytest.fixture
def county(served_database):  # noqa: F811
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=served_database)
    with app.app_context():
        make = Factory(app)
        east = make.township("东山镇")
        west = make.township("西河乡")
        yield SimpleNamespace(
            url=served_database,
            uploader=make.user("clerk", east, username="east_clerk").username,
            writer=make.user("clerk", west, username="west_clerk").username,
            reader=make.user("secretary", west, username="west_secretary").username,
            candidate=make.candidate(west).id,
        )
        db.session.remove()
        db.engine.dispose()


def test_other_users_work_while_a_crafted_file_is_uploaded(county):
    env = {"SECRET_KEY": secrets.token_hex(32)}
    with Gunicorn(county.url, workers=4, env=env) as server:
        users = [User(server.base, name) for name in (county.uploader, county.uploader)]
        assert all(user.login(DEFAULT_PASSWORD) == 302 for user in users)
        writer = User(server.base, county.writer)
        assert writer.login(DEFAULT_PASSWORD) == 302
        content = crafted.blank_rows()
        uploads, slow = Uploads(users[0], content), SlowUpload(users[1], content)
        uploads.start()
        slow.start()
        try:
            worked = note_and_login(
                server.base, writer, county.reader, county.candidate, ROUNDS, DEFAULT_PASSWORD
            )
        finally:
            uploads.stop.set()
            slow.stop.set()
            uploads.join(120)
            slow.join(120)
        log = server.log()
    assert [status for status, _ in worked["note"]] == [302] * ROUNDS, log[-3000:]
    assert [status for status, _ in worked["login"]] == [302] * ROUNDS, log[-3000:]
    assert uploads.answers and {status for status, _ in uploads.answers} == {422}
    assert all(f"一次最多导入 {MAX_ROWS:,} 行" in text for text in uploads.texts)
    assert (slow.status, slow.error) == (422, None)
    with db.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(DynamicNote)) == ROUNDS
