"""Template filters and globals: dates, local times, labels, links to the current page."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import request, url_for


def _reserved(name: str) -> bool:
    """A name url_for takes for itself (``endpoint``, ``_external``, ``_method``, ``_anchor``,
    ``_scheme``); no page of the app uses one as a query parameter."""
    return name == "endpoint" or name.startswith("_")


def url_with(**changes) -> str:
    """The current page's URL with some query parameters changed (pager, sort): every link to
    the page in another state, and every redirect back to it, is made here.

    The query comes from whoever wrote the URL, so what url_for would read as its own
    arguments is dropped (``?_external=1`` would make every link absolute, ``?endpoint=x``
    or ``?_method=POST`` would break them), as is any name of the path's own variables.
    """
    path_args = request.view_args or {}
    args = {k: v for k, v in request.args.items() if not _reserved(k) and k not in path_args}
    args |= {k: v for k, v in changes.items() if v is not None}
    args = {k: v for k, v in args.items() if v not in ("", None)}
    return url_for(request.endpoint, **path_args, **args)


def register_template_helpers(app) -> None:
    zone = ZoneInfo(app.config["ROSTER_TIMEZONE"])

    @app.template_filter("date")
    def format_date(value) -> str:
        return value.strftime("%Y-%m-%d") if value else ""

    @app.template_filter("localtime")
    def format_localtime(value) -> str:
        if not value:
            return ""
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    @app.template_filter("cn_numeral")
    def cn_numeral(n: int) -> str:
        """1-99 in Chinese numerals, for the dossier's section headings (一、二、…十一)."""
        digits = "零一二三四五六七八九"
        tens, ones = divmod(int(n), 10)
        if tens == 0:
            return digits[ones]
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")

    app.add_template_global(url_with)

    @app.context_processor
    def app_name():
        return {"app_name": "村级后备干部人才库"}
