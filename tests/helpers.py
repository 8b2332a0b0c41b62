"""Small readers of rendered pages and builders of uploads, shared by the HTTP tests."""

from __future__ import annotations

import html as html_lib
import io
import re
from html.parser import HTMLParser

from openpyxl import Workbook

from bench.serving import multipart


def new_placement(client, data: dict, **kwargs):
    """Send the new-placement form as a browser does: the candidate, picked on the pick page,
    is in the page's URL (``data["candidate"]``, its id, moves there)."""
    data = dict(data)
    url = f"/posts/placements/new?candidate={data.pop('candidate')}"
    return client.post(url, data=data, **kwargs)


def error_at(page: str, field_id: str) -> str | None:
    """The text of the error rendered at a field (``<div … id="<field>-error">``), or None."""
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page, re.S)
    return html_lib.unescape(match.group(1)) if match else None


class _FormParser(HTMLParser):
    """What a browser would submit from each <form> of a page (no submit button pressed), and
    the named submit buttons it could press."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "fields": {}, "buttons": {}}
            self.forms.append(self._form)
        elif self._form is None or not a.get("name") and tag != "option":
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["fields"][a["name"]] = a.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            self._form["buttons"][a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = {"name": a["name"], "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"] = value
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = self._select["chosen"]
            self._form["fields"][self._select["name"]] = (
                chosen if chosen is not None else self._select["first"] or ""
            )
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            value = self._form["fields"][self._textarea]
            # HTML drops the newline right after <textarea>; so does a browser's submission.
            self._form["fields"][self._textarea] = value[1:] if value.startswith("\n") else value
            self._textarea = None


def browser_form(page: str, with_field: str) -> dict[str, str]:
    """What a browser posts when the (only) submit button of the form holding ``with_field``
    is pressed: its fields, plus the button's name and value if it has a name."""
    parser = _FormParser()
    parser.feed(page)
    for form in parser.forms:
        if with_field in form["fields"]:
            return dict(form["fields"]) | form["buttons"]
    raise AssertionError(f"no form with a field {with_field!r} on the page")


def select_options(page: str, select_id: str) -> list[tuple[str, str]]:
    """(value, text) of the non-empty options of ``<select id=select_id>``."""
    match = re.search(rf'<select[^>]*\bid="{re.escape(select_id)}"[^>]*>(.*?)</select>', page, re.S)
    assert match, f"no select {select_id!r}"
    options = re.findall(r'<option[^>]*value="([^"]*)"[^>]*>(.*?)</option>', match.group(1), re.S)
    return [(v, html_lib.unescape(t).strip()) for v, t in options if v]


def candidate_form(village_id, /, **overrides) -> dict[str, str]:
    """Every field of the candidate form as a browser posts it: a valid new candidate (born
    1949-12-31, female) unless ``overrides`` say otherwise."""
    return {
        "name": "李四",
        "id_number": "11010519491231002X",
        "gender": "",
        "birth_date": "",
        "ethnicity": "01",
        "political": "01",
        "education": "bachelor",
        "major": "",
        "phone": "13800138000",
        "village_id": str(village_id),
        "source": "veteran",
        "occupation": "",
        "speciality": "",
        "direction": "party_secretary",
        "entered_on": "",
        "notes": "",
        "version": "",
    } | overrides


def xlsx_bytes(rows, headers) -> bytes:
    """A one-sheet workbook: the header row, then each row (a dict keyed by header)."""
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload_xlsx(client, data: bytes, name: str = "花名册.xlsx", *, csrf: bool = True):
    """POST a workbook to the import page as a browser would; the body is built in memory (the
    test client would spool a large one to a temporary file that nothing closes)."""
    fields = {"csrf_token": client.csrf_token()} if csrf else {}
    body, content_type = multipart(fields, data, name)
    return client.post("/candidates/import", data=body, content_type=content_type)


def import_token(response) -> str:
    """The kept upload's token from the redirect after an upload."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.search(r"/candidates/import/([A-Za-z0-9_-]+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
NAME = re.compile(r'name="([^"]+)"')
VALUE = re.compile(r'value="([^"]*)"')


def opened(client, url: str) -> dict[str, str]:
    """The hidden fields a browser gets when it opens the form at ``url`` — the record's
    ``version`` (an edit form) and the one-time token ``once`` (a create form) — to send with
    the test's own values, as the browser would. Empty when the page does not answer 200."""
    response = client.get(url)
    if response.status_code != 200:
        return {}
    fields = {}
    for tag in HIDDEN.findall(response.get_data(as_text=True)):
        name, value = NAME.search(tag), VALUE.search(tag)
        if name and name.group(1) in ("version", "once"):
            fields[name.group(1)] = html_lib.unescape(value.group(1)) if value else ""
    return fields
