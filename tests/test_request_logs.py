"""The development server logs every request line; a roster search carries an ID number or a
phone number in its query string, so the lines are logged without it."""

from __future__ import annotations

import logging
import threading
import urllib.request

from werkzeug.serving import make_server

ID_NUMBER = "43052119900503001X"


def test_the_served_request_line_keeps_the_path_but_not_the_query(app, caplog):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            url = (
                f"http://127.0.0.1:{server.server_port}/candidates/?q={ID_NUMBER}&phone=13800138000"
            )
            try:
                opener.open(url, timeout=10)
            except urllib.error.HTTPError as answer:  # the redirect to /login, not followed
                assert answer.code == 302
    finally:
        server.shutdown()
        thread.join(10)

    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    request_lines = [line for line in lines if "GET /candidates/" in line]
    assert request_lines, lines  # the line was logged: the capture works
    assert "GET /candidates/?… HTTP/1.1" in request_lines[0]
    assert not any(ID_NUMBER in line or "13800138000" in line for line in lines)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
