"""The suite's own isolation (``tests/conftest.py``): a test runs in one transaction rolled back
at its end, the app's commits being savepoints in it, unless it is marked ``commits``; and a
test that is not marked but reaches the database through another connection is refused."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.core.db import begin_write
from app.extensions import db
from app.places.models import Township

REFUSED = "Mark the test @pytest.mark.commits"


def townships() -> list[str]:
    return sorted(db.session.scalars(select(Township.name)))


def test_commits_and_rollbacks_are_savepoints_of_the_tests_transaction(app, transaction):
    db.session.add(Township(name="甲镇"))
    db.session.commit()
    assert transaction.connection.in_transaction()  # the commit ended no transaction
    db.session.add(Township(name="乙镇"))
    db.session.flush()
    db.session.rollback()  # back to the last commit, not to the test's start
    assert townships() == ["甲镇"]
    db.session.remove()  # a new session joins the same transaction
    assert townships() == ["甲镇"]


def test_begin_write_goes_on_inside_the_tests_transaction(app, transaction, client):
    """On SQLite the transaction holds the write lock once anything was written, so
    ``begin_write`` (every POST calls it) keeps what the test wrote before."""
    db.session.add(Township(name="甲镇"))
    db.session.commit()
    if db.engine.dialect.name == "sqlite":  # the lock is held until the test's rollback
        assert transaction.connection.info["sqlite_write_lock"] is True
    begin_write()
    assert client.post("/logout", data={}).status_code == 302
    db.session.rollback()
    assert townships() == ["甲镇"]
    assert transaction.connection.in_transaction()


def test_another_connection_is_refused_naming_the_marker(app, transaction):
    with pytest.raises(RuntimeError, match=REFUSED):
        db.engine.connect()
    refused = []

    def elsewhere():  # a thread's session gets a connection of its own
        with app.app_context():
            try:
                db.session.scalar(select(func.count()).select_from(Township))
            except RuntimeError as exc:
                refused.append(str(exc))
            finally:
                db.session.remove()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join(10)
    assert len(refused) == 1 and REFUSED in refused[0]
    expected = 2
    if db.engine.dialect.name == "sqlite":
        path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
        with pytest.raises(RuntimeError, match=REFUSED):
            sqlite3.connect(path)
        expected += 1
    assert len(transaction.strays) == expected
    transaction.strays.clear()  # each was refused, as it should be: this test passes


@pytest.mark.commits
def test_a_test_marked_commits_commits_for_real(app, transaction):
    assert transaction is None
    db.session.add(Township(name="丙镇"))
    db.session.commit()
    with db.engine.connect() as other:
        assert other.scalar(select(func.count()).select_from(Township)) == 1
