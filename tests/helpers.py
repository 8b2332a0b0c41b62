"""Small readers of rendered pages, shared by the HTTP tests."""

from __future__ import annotations

import html as html_lib
import re


def error_at(page: str, field_id: str) -> str | None:
    """The text of the error rendered at a field (``<div … id="<field>-error">``), or None."""
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page, re.S)
    return html_lib.unescape(match.group(1)) if match else None
