"""No ID number, phone number, password or session cookie in the application's logs.

One realistic session (a failed and a good login, the candidate form with its refusals, search,
reveal, export, web and CLI imports, server errors, the development server's request log) runs
with every logger at DEBUG; everything logged, and everything written to stdout and stderr, is
then searched for the personal data the session used.
"""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import re
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from werkzeug.serving import make_server

from app.core.audit import AuditEntry
from app.core.idcard import make_id_number
from app.core.logs import mask_numbers
from app.excel import operations as excel_operations
from app.excel.columns import HEADERS
from app.extensions import db
from app.roster import checks as roster_checks
from app.roster import operations as roster_operations
from app.roster.models import Candidate
from tests.conftest import Factory
from tests.helpers import candidate_form, import_token, upload_xlsx, xlsx_bytes

PASSWORD = "Lp-Known-Pass-7391"
WRONG_PASSWORD = "Lp-Wrong-Pass-2846"
PHONES = ["13912345678", "13787654321", "13611112222", "15833334444", "18655556666"]
LOGGERS = ("werkzeug", "sqlalchemy", "app", "flask")


def form(village_id, version: str = "", **overrides) -> dict[str, str]:
    values = {"name": "王立新", "id_number": IDS[0], "phone": PHONES[0], "version": version}
    return candidate_form(village_id, **values | overrides)


def _numbers(count: int) -> list[str]:
    """Valid ID numbers, the first ones ending in X (so the lower-case x can be searched)."""
    ending_x, others = [], []
    for seq in range(2, 999, 2):
        number = make_id_number("430521", dt.date(1990, 5, 3), seq, "M")
        (ending_x if number.endswith("X") else others).append(number)
    return (ending_x[:2] + others)[:count]


IDS = _numbers(7)


class Capture(logging.Handler):
    """Every record, formatted with its traceback, as a handler of the root logger would."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def captured():
    """Everything logged while the test runs: every logger at DEBUG (the migrations' logging
    set-up leaves ``sqlalchemy.engine`` at WARN, for one), all of it into one handler."""
    handler = Capture()
    root = logging.getLogger()
    loggers = [root] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.NOTSET)
        logger.disabled = False
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    # A logger that does not pass records up (none of these should) is captured directly.
    direct = [logging.getLogger(n) for n in LOGGERS if not logging.getLogger(n).propagate]
    for logger in direct:
        logger.addHandler(handler)
    yield handler
    for logger in direct:
        logger.removeHandler(handler)
    root.removeHandler(handler)
    for logger, level, disabled in saved:
        logger.setLevel(level)
        logger.disabled = disabled


def forbidden(cookie: str) -> dict[str, str]:
    """What must never be in a log, by what it is."""
    found = {"password": PASSWORD, "wrong password": WRONG_PASSWORD, "session cookie": cookie}
    for n, number in enumerate(IDS):
        for variant in {number, number.lower(), number.upper()}:
            found[f"ID {n} {variant}"] = variant
            found[f"ID {n} reversed {variant}"] = variant[::-1]  # Candidate.id_reversed
    for n, phone in enumerate(PHONES):
        found[f"phone {n}"] = phone
    return found


def row(name: str, number: str, phone: str, **overrides) -> dict:
    return {
        "姓名": name,
        "身份证号": number,
        "政治面貌": "中共党员",
        "学历": "本科",
        "所属乡镇": "青山镇",
        "所在村": "石桥村",
        "来源类别": "退役军人",
        "培养方向": "村党组织书记",
        "联系电话": phone,
    } | overrides


def the_candidate() -> Candidate:
    db.session.expire_all()
    return db.session.scalars(select(Candidate).where(Candidate.id_number == IDS[0])).one()


def failing_sql(candidate, values, **_):
    """A statement the database refuses, with an ID number among its bound parameters."""
    db.session.execute(
        text("SELECT id FROM candidates WHERE id_number = :number AND no_such_column = 1"),
        {"number": values["id_number"]},
    )


def duplicate_number(candidate, *, actor):
    """A unique-index violation that nothing catches: PostgreSQL names the value in DETAIL."""
    db.session.execute(
        text("UPDATE candidates SET id_number = :number WHERE id = :id"),
        {"number": IDS[2], "id": candidate.id},
    )


def racing_import(plan, **_):
    db.session.execute(
        text("UPDATE candidates SET id_number = :number WHERE id_number = :other"),
        {"number": IDS[2], "other": IDS[0]},
    )


def bug_with_personal_data(candidate, *, actor):
    raise ValueError(f"身份证号 {candidate.id_number} 与联系电话 {candidate.phone} 对不上")


def dev_server_get(app, *paths) -> None:
    """GET each path from the development server (``flask run``), which logs request lines."""
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for path in paths:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            try:
                connection.request("GET", path)
                connection.getresponse().read()
            finally:
                connection.close()
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_a_whole_session_logs_no_personal_data(
    app, client, make, captured, capfd, monkeypatch, tmp_path
):
    township = make.township("青山镇", villages=("石桥村", "太平村"))
    village_id = township.villages[0].id
    admin = make.user("admin", None, username="county_admin", password=PASSWORD)
    outputs: list[str] = []  # what the CLI printed

    # Logging in: once wrong (audited), then right.
    refused = client.post("/login", data={"username": admin.username, "password": WRONG_PASSWORD})
    assert refused.status_code == 200
    failed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed"))
    assert [e.entity_id for e in failed] == [admin.id]
    login = client.post("/login", data={"username": admin.username, "password": PASSWORD})
    assert login.status_code == 302
    cookie = client.get_cookie("session").value
    assert len(cookie) > 20

    # The candidate form: a refusal carrying the number, the record, a duplicate, a race.
    assert client.get("/candidates/new").status_code == 200
    refused = client.post("/candidates/new", data=form(village_id, phone="12345"))
    assert refused.status_code == 422 and IDS[0] in refused.get_data(as_text=True)
    assert client.post("/candidates/new", data=form(village_id)).status_code == 302
    candidate = the_candidate()
    again = client.post("/candidates/new", data=form(village_id, name="王立"))
    assert "该身份证号已登记" in again.get_data(as_text=True)
    with monkeypatch.context() as patch:  # two clerks at once: the unique index answers
        patch.setattr(roster_checks, "duplicate_problem", lambda *a, **k: None)
        race = client.post("/candidates/new", data=form(village_id, name="王立"))
    assert "该身份证号已登记" in race.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Candidate)) == 1

    # Editing, searching by the whole number, revealing it, printing and exporting.
    assert client.get(f"/candidates/{candidate.id}/edit").status_code == 200
    edit = form(village_id, version=str(candidate.version), phone=PHONES[1])
    assert client.post(f"/candidates/{candidate.id}/edit", data=edit).status_code == 302
    for query in (IDS[0], IDS[0].lower(), PHONES[1]):
        assert client.get("/candidates/", query_string={"q": query}).status_code == 200
    revealed = client.post(f"/candidates/{candidate.id}/reveal-id", data={})
    assert IDS[0] in revealed.get_data(as_text=True)
    assert client.get(f"/candidates/{candidate.id}/print").status_code == 200
    export = client.get(
        "/candidates/export.xlsx", query_string={"status": "all", "q": IDS[0]}, buffered=True
    )
    assert export.status_code == 200 and len(export.data) > 1000

    # A web import: preview and confirm; then one with a bad row, its errors and discard.
    good = xlsx_bytes([row("赵一", IDS[1], PHONES[2]), row("钱二", IDS[2], PHONES[3])], HEADERS)
    token = import_token(upload_xlsx(client, good))
    assert "赵一" in client.get(f"/candidates/import/{token}").get_data(as_text=True)
    assert client.post(f"/candidates/import/{token}", data={}).status_code == 302
    bad = xlsx_bytes([row("孙三", IDS[3], PHONES[4]), row("李四", IDS[4], "12", 学历="x")], HEADERS)
    token = import_token(upload_xlsx(client, bad))
    assert client.get(f"/candidates/import/{token}").status_code == 200
    errors = client.get(f"/candidates/import/{token}/errors.xlsx", buffered=True)
    assert errors.status_code == 200
    assert client.post(f"/candidates/import/{token}/discard", data={}).status_code == 302

    # The CLI: export the county, import a good file, refuse a bad one.
    (tmp_path / "good.xlsx").write_bytes(xlsx_bytes([row("周五", IDS[5], "")], HEADERS))
    twice = [row("吴六", IDS[6], PHONES[4]), row("郑七", IDS[6], PHONES[4])]
    (tmp_path / "bad.xlsx").write_bytes(xlsx_bytes(twice, HEADERS))
    runner = app.test_cli_runner()
    for args, code in (
        (["export-roster", str(tmp_path / "out.xlsx")], 0),
        (["import-roster", str(tmp_path / "good.xlsx"), "--township", "青山镇"], 0),
        (["import-roster", str(tmp_path / "bad.xlsx")], 1),
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == code, result.output
        outputs.append(result.output)
    assert db.session.scalar(select(func.count()).select_from(Candidate)) == 4
    with monkeypatch.context() as patch:  # a number saved meanwhile: the unique index refuses
        patch.setattr(excel_operations, "import_rows", racing_import)
        (tmp_path / "late.xlsx").write_bytes(xlsx_bytes([row("王九", IDS[6], "")], HEADERS))
        result = runner.invoke(args=["import-roster", str(tmp_path / "late.xlsx")])
    assert result.exit_code == 1 and "导入失败，未写入任何记录" in result.output
    outputs.append(result.output)

    # Server errors, answered with the error page and logged with their traceback.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for name, fault in (
        ("update_candidate", failing_sql),
        ("reveal_id_number", duplicate_number),
        ("reveal_id_number", bug_with_personal_data),
    ):
        with monkeypatch.context() as patch:
            patch.setattr(roster_operations, name, fault)
            version = str(the_candidate().version)
            if name == "update_candidate":
                response = client.post(
                    f"/candidates/{candidate.id}/edit", data=form(village_id, version=version)
                )
            else:
                response = client.post(f"/candidates/{candidate.id}/reveal-id", data={})
        assert response.status_code == 500, name
    assert the_candidate().id_number == IDS[0]  # each failure wrote nothing

    # The development server logs each request line (a search's query string is the number).
    dev_server_get(app, f"/candidates/?q={IDS[0]}", f"/candidates/?q={IDS[1].lower()}")
    assert client.post("/logout", data={}).status_code == 302

    out, err = capfd.readouterr()
    logged = "\n".join([*captured.lines, out, err, *outputs])
    # The capture works: the request lines, SQL statements and tracebacks are in it.
    assert re.search(r"GET /candidates/\?\S* HTTP/1\.1\S*\" 302", logged), "no request line"
    assert "FROM candidates" in logged, "no SQL statement"
    assert f"Exception on /candidates/{candidate.id}/edit [POST]" in logged
    assert "no_such_column" in logged and "Traceback" in logged
    if db.engine.dialect.name == "postgresql":  # the unique index's DETAIL, masked
        assert "Key (id_number)=(***) already exists" in logged
        assert "Key (id_number)=(***) already exists" in outputs[-1]
    leaks = {
        what: next(line[:300] for line in logged.splitlines() if value in line)
        for what, value in forbidden(cookie).items()
        if value in logged
    }
    assert leaks == {}, "\n".join(f"{what}: {line}" for what, line in leaks.items())


def test_result_rows_are_never_logged(app, make, captured):
    """At DEBUG, SQLAlchemy logs every row it reads: those never reach a log."""
    make.candidate(make.township(), id_number=IDS[0], phone=PHONES[0])
    db.session.expire_all()
    assert db.session.scalars(select(Candidate)).one().id_number == IDS[0]
    logged = "\n".join(captured.lines)
    assert "FROM candidates" in logged
    assert IDS[0] not in logged and PHONES[0] not in logged


@pytest.fixture
def engine_logger():
    """The engine's logger as it was: an echoing engine adds a stdout handler to it."""
    logger = logging.getLogger("sqlalchemy.engine.Engine")
    handlers = list(logger.handlers)
    yield logger
    logger.handlers[:] = handlers


def test_echo_debug_becomes_echo_with_a_warning(app_settings, engine_logger, caplog):
    with caplog.at_level(logging.WARNING, logger="app"):
        app = app_settings(SQLALCHEMY_ECHO="debug", SQLALCHEMY_ENGINE_OPTIONS={})
    assert 'echo "debug" would log every result row' in caplog.text
    assert app.config["SQLALCHEMY_ECHO"] is True
    assert db.engine.echo is True and db.engine.hide_parameters is True
    Factory(app).candidate(id_number=IDS[0], phone=PHONES[0])
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="sqlalchemy.engine.Engine"):
        db.session.expire_all()
        assert db.session.scalars(select(Candidate).where(Candidate.id_number == IDS[0])).one()
    assert "FROM candidates" in caplog.text  # echo logs the statement …
    assert IDS[0] not in caplog.text and PHONES[0] not in caplog.text  # … but no value


def test_parameters_stay_hidden_whatever_engine_options_are_given(app_settings):
    app = app_settings(SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {
        "pool_pre_ping": True,
        "hide_parameters": True,
    }
    assert db.engine.hide_parameters is True
    with pytest.raises(DBAPIError) as caught:
        db.session.execute(
            text("SELECT no_such_column FROM candidates WHERE id_number = :n"), {"n": IDS[0]}
        )
    db.session.rollback()
    assert IDS[0] not in str(caught.value)


@pytest.mark.parametrize(
    ("logged", "shown"),
    [
        ("身份证号 43052119900503039X 重复", "身份证号 *** 重复"),
        ("key (id_number)=(43052119900503039x)", "key (id_number)=(***)"),
        ("old 430521900503003 number", "old *** number"),
        ("全角 ４３０５２１１９９００５０３０３９Ｘ", "全角 ***"),
        ("tel 13912345678, +8613912345678", "tel ***, +***"),
        ("座机 0731-84567890 / 010-6512345", "座机 *** / ***"),
        ("GET /candidates/1234 on 2024-05-03 12:00:01 [POST] 302", None),
        ("import token aY3f0m067KSoTgFCq0C1cSa", None),
    ],
)
def test_mask_numbers(logged, shown):
    assert mask_numbers(logged) == (shown or logged)
