"""Personal data kept out of the logs.

No ID number, phone number, password or session cookie is ever logged. The app logs no request
body or header itself, so passwords and cookies stay out by construction; what remains is what
libraries log on their own:

- SQLAlchemy puts bound parameters (an ID number searched for, a record inserted) in its SQL
  log and in the text of every database error, which a 500's traceback then logs. Every engine
  hides them (``hide_parameters``); at DEBUG it logs each result row too, so DEBUG records of
  the engine are dropped and ``SQLALCHEMY_ECHO = "debug"`` becomes ``True``.
- A traceback can still carry a value in an exception's own text: PostgreSQL names the
  duplicate value of a unique index in its ``DETAIL`` line. The app logger (which logs each
  500) masks long numbers — ID and phone numbers — in its messages and tracebacks.
- Request lines lose their query strings: a roster search may be an ID or a phone number, and
  the development server logs every request line.
"""

from __future__ import annotations

import logging
import re

# An ID number (18 characters, 15 for the old ones), a mobile (11 digits, or more with +86),
# or a landline with its area code: any run of 11+ digits, or 0xx(x)-xxxxxxx(x).
PERSONAL_NUMBER = re.compile(r"(?<!\d)(?:\d{11,}[XxＸｘ]?|0\d{2,3}-\d{7,8}(?!\d))")
MASK = "***"
QUERY_STRING = re.compile(r"\?[^\s\"]*")


def mask_numbers(text: str) -> str:
    return PERSONAL_NUMBER.sub(MASK, text)


class MaskNumbers(logging.Filter):
    """Masks ID and phone numbers in a record's message and traceback text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatters use ``exc_text`` when it is set, so the masked text is what they print.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_numbers(record.exc_text)
        return True


class NoResultRows(logging.Filter):
    """SQLAlchemy's engine logs result rows (and their columns) at DEBUG: never let them out."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


class DropQueryStrings(logging.Filter):
    """Request lines logged with ``?…`` for their query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                QUERY_STRING.sub("?…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.msg, str) and not record.args:
            record.msg = QUERY_STRING.sub("?…", record.msg)
        return True


def _add_once(logger: logging.Logger, kind: type[logging.Filter]) -> None:
    # Loggers are process-wide, and tests build many apps: one filter of each kind is enough.
    if not any(isinstance(f, kind) for f in logger.filters):
        logger.addFilter(kind())


def keep_personal_data_out_of_logs(app) -> None:
    """Engine options and log filters; runs before the database extension makes its engine."""
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["hide_parameters"] = True
    if "debug" in (options.get("echo"), app.config.get("SQLALCHEMY_ECHO")):
        if options.get("echo") == "debug":
            options["echo"] = True
        if app.config.get("SQLALCHEMY_ECHO") == "debug":
            app.config["SQLALCHEMY_ECHO"] = True
        app.logger.warning(
            'SQLAlchemy echo "debug" would log every result row, personal data included: '
            "echo is True instead (statements without their parameters, no rows)."
        )
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    _add_once(logging.getLogger("sqlalchemy.engine.Engine"), NoResultRows)
    _add_once(app.logger, MaskNumbers)
    _add_once(logging.getLogger("werkzeug"), DropQueryStrings)
