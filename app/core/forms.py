"""Form pieces shared by every area."""

from __future__ import annotations

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select, html_params

from app.core.once import OnceField


class EmptyForm(FlaskForm):
    """A CSRF-only form for one-click actions."""

    submit = SubmitField("确定")


class RecordForm(FlaskForm):
    """The form of a record: editing, it carries the version the record was opened at (filled
    from ``obj`` when shown); creating, a one-time token, so a repeated submit writes nothing.
    Templates render both with the other hidden fields (``form.hidden_tag()``)."""

    version = HiddenField()
    once = OnceField()

    def stamp(self, record) -> None:
        """The form shows ``record`` as it is now (for a form not filled with ``obj=``)."""
        self.version.data = str(record.version)


class FilterForm(FlaskForm):
    """GET filter forms: no CSRF (they change nothing), and no prefix on field names.

    Build one from what the filters read (``formdata=None, data=…``), not from the raw query:
    the bar then shows what is applied (a meaningless value shows as 全部).
    """

    class Meta:
        csrf = False


class _FilterSelect(Select):
    """Writes the chosen option ``<option value="…" selected>``, the filter bars' markup from
    before they were forms, which their pages' tests read."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        params = html_params(value=choice.value, **(choice.render_kw or {}), **kwargs)
        selected = " selected" if choice.selected else ""
        html = f"<option {params}{selected}>{escape(choice.label)}</option>"
        return Markup(html)  # noqa: S704 — html_params and escape() made each part safe


def filter_select(label: str, choices=(), **kwargs) -> SelectField:
    """A select of a ``FilterForm``; ``choices`` are (value, label) pairs."""
    return SelectField(
        label, choices=options(choices), validate_choice=False, widget=_FilterSelect(), **kwargs
    )


class Required:
    """Marks a field required (label asterisk) without checking: ``checks`` says what is wrong.

    Browsers' own required-field bubbles speak the browser's language; forms carry
    ``novalidate`` and the server answers in Chinese at the field instead.
    """

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


def options(pairs, optgroup: str | None = None) -> list[SelectChoice]:
    """(value, label) pairs as the option objects WTForms wants."""
    return [SelectChoice(str(value), label, optgroup=optgroup) for value, label in pairs]


def add_errors(form: FlaskForm, errors: dict[str, str], fallback: str | None = None) -> None:
    """Put checked-record errors on the fields they belong to (or on ``fallback``)."""
    for key, message in errors.items():
        field = form[key] if key and key in form else None
        if field is None and fallback:
            field = form[fallback]
        if field is None or field.type == "HiddenField":
            form.form_errors.append(message)
            continue
        if isinstance(field.errors, tuple):
            field.errors = list(field.errors)
        field.errors.append(message)


__all__ = [
    "EmptyForm",
    "FilterForm",
    "RecordForm",
    "Required",
    "add_errors",
    "filter_select",
    "options",
]
