"""The two steps every form view repeats: save when checked, render with the right status."""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template, request

from app.core.checks import Checked
from app.core.errors import RuleError
from app.core.forms import add_errors
from app.extensions import db


def save_checked(form, checked: Checked, action: Callable):
    """Write when the typed values are right; else put every message at its field.

    ``action(values)`` is an operation (it flushes, never commits); one commit follows, or a
    rollback when a rule refuses. Returns what ``action`` returned, or None when nothing was
    written.
    """
    if not checked.ok:
        add_errors(form, checked.errors)
        return None
    try:
        result = action(checked.values)
        db.session.commit()
    except RuleError as exc:
        db.session.rollback()
        add_errors(form, {exc.field: exc.message})
        return None
    return result


def render_form(template: str, form, **context):
    """A form page: 422 when the submitted form was refused, 200 otherwise."""
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status
