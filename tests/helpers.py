"""Small readers of rendered pages and builders of uploads, shared by the HTTP tests."""

from __future__ import annotations

import html as html_lib
import io
import re
import uuid

from openpyxl import Workbook


def error_at(page: str, field_id: str) -> str | None:
    """The text of the error rendered at a field (``<div … id="<field>-error">``), or None."""
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</div>', page, re.S)
    return html_lib.unescape(match.group(1)) if match else None


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


def upload_xlsx(client, data: bytes, name: str = "花名册.xlsx"):
    """POST a workbook to the import page as a browser would; the body is built in memory (the
    test client would spool a large one to a temporary file that nothing closes)."""
    boundary = f"----roster{uuid.uuid4().hex}"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{client.csrf_token()}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(
        "/candidates/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def import_token(response) -> str:
    """The kept upload's token from the redirect after an upload."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.search(r"/candidates/import/([A-Za-z0-9_-]+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)
