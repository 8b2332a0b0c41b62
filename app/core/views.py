"""The one save path of every form: check, write, commit — or roll back and answer 422.

``save_checked(form, checked, action, record=…)``:
1. the typed values were checked (``checked``, from the area's ``checks``); any message goes to
   its field and nothing is written;
2. the write transaction begins (``begin_write``; the record's row is locked on PostgreSQL);
3. an edit form (``record`` given; the form a ``RecordForm``) must carry the version the
   record has now: a form opened before someone else saved, or one without a readable version,
   is refused and shows what the record holds now, where it differs — never overwritten;
4. a create form (no ``record``) spends its one-time token: the same form sent twice (a double
   click) creates nothing the second time, and says so;
5. ``action(values)`` — an operation, which flushes and never commits — and one commit; a
   ``RuleError`` rolls everything back and puts its messages at their fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.core import once
from app.core.checks import Checked
from app.core.db import begin_write
from app.core.errors import RuleError, StaleRecord
from app.core.forms import add_errors
from app.extensions import db

REPEATED = "这份表单刚才已经提交并保存过（可能点击了两次“保存”），这次没有重复保存。"
NOT_SHOWN = ("CSRFTokenField", "HiddenField", "OnceField", "SubmitField")


class _Repeated(Exception):
    pass


def save_checked(
    form,
    checked: Checked,
    action: Callable,
    *,
    record=None,
    conflict: Callable | None = None,
    integrity: Callable[[dict], dict] | None = None,
):
    """Write when the typed values are right; else put every message at its field.

    Returns what ``action`` returned (True when that is None), or None when nothing was
    written: the form then carries the messages, and the view answers 422 with it.
    ``conflict(form, record, values, message)`` shows a stale edit (``show_conflict`` by
    default); ``integrity(values)`` turns a unique index's refusal (two people saving the
    same thing at once) into field errors — without it that is an error of the app.
    """
    if not checked.ok:
        add_errors(form, checked.errors)
        return None
    try:
        begin_write(*([(type(record), record.id)] if record is not None else []))
        if record is not None and "version" in form:
            _check_version(form, record)
        elif record is None and "once" in form:
            _spend(form.once.data)
        result = action(checked.values)
        db.session.commit()
        if result is None:
            result = True
    except (StaleRecord, StaleDataError) as exc:
        # StaleDataError: a save slipped between the check and the write (the version counter).
        db.session.rollback()
        message = exc.message if isinstance(exc, StaleRecord) else StaleRecord().message
        (conflict or show_conflict)(form, record, checked.values, message)
        return None
    except _Repeated:
        db.session.rollback()
        form.form_errors.append(REPEATED)
        form.once.data = once.new_token()  # saving it again on purpose is a new submit
        return None
    except RuleError as exc:
        db.session.rollback()
        add_errors(form, exc.errors)
        return None
    except IntegrityError:
        if integrity is None:
            raise
        db.session.rollback()
        add_errors(form, integrity(checked.values))
        return None
    return result


def committed(action: Callable[[], Any]) -> RuleError | None:
    """A write with no form of its own to check (a one-click action, a form read by hand): the
    operation and one commit — or a rollback, and the ``RuleError`` that refused it."""
    try:
        action()
        db.session.commit()
    except RuleError as exc:
        db.session.rollback()
        return exc
    return None


def sent_version(form) -> int | None:
    """The version the form says it was opened at; None when it says none we could have sent
    (missing, garbled, full-width digits)."""
    sent = (form.version.data or "").strip()
    return int(sent) if sent.isascii() and sent.isdigit() else None


def _check_version(form, record) -> None:
    db.session.refresh(record)  # under the write lock: the version as it stands now
    sent = sent_version(form)
    if sent is None:
        raise StaleRecord(unversioned=True)
    if sent != record.version:
        raise StaleRecord()


def _spend(token: str) -> None:
    try:
        once.spend(token, user_id=getattr(current_user, "id", None))
    except IntegrityError:
        raise _Repeated from None


def show_conflict(form, record, mine: dict[str, Any], message: str) -> None:
    """Keep what the user typed, and show beside it what the record holds now."""
    db.session.refresh(record)
    form.form_errors.append(message)
    form.conflict = [
        (field.label.text, shown(field, getattr(record, field.name)))
        for field in form
        if field.type not in NOT_SHOWN
        and hasattr(record, field.name)
        and mine.get(field.name, getattr(record, field.name)) != getattr(record, field.name)
    ]
    form.version.data = str(record.version)  # saving again now is a conscious overwrite


def shown(field, value: Any) -> str:
    """A record's value as the form's field would name it (a choice by its label)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    for choice in getattr(field, "choices", None) or []:
        if isinstance(choice, tuple | list):
            key, label = choice[0], choice[1]
        else:
            key, label = choice.value, choice.label
        if str(key) == str(value):
            return str(label)
    return str(value)


def form_page(
    form,
    template: str,
    *,
    check: Callable[[], Checked],
    write: Callable,
    record=None,
    done: Callable[[Any], str] | str,
    then: Callable[[Any], str],
    **context,
):
    """The whole of a form view: show the form; on a valid submit check and save it
    (``save_checked``), say ``done`` and go to ``then(result)``; else show it again with its
    messages (422). ``check`` is called only on a submit."""
    if form.validate_on_submit():
        saved = save_checked(form, check(), write, record=record)
        if saved is not None:
            flash(done(saved) if callable(done) else done, "success")
            return redirect(then(saved))
    return render_form(template, form, **context)


def render_form(template: str, form, **context):
    """A form page: 422 when the submitted form was refused, 200 otherwise."""
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status
