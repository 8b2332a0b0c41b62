"""gunicorn serving the app on 127.0.0.1, and people using it over HTTP.

Shared by ``make load`` (``bench.load``) and the tests that start a real server
(``tests/test_worker_kill.py``, marked ``server``). Only 127.0.0.1, a free port, and every
wait bounded.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout: float, interval: float = 0.05):
    """Call ``check`` until it returns something true, and return that; None after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() >= deadline:
            return result or None
        time.sleep(interval)


class Answer(NamedTuple):
    status: int
    text: str
    seconds: float
    location: str = ""  # where a redirect points


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class User:
    """One person with their own cookie jar; redirects are answered, not followed."""

    def __init__(self, base: str, username: str, timeout: float = 30):
        self.base = base
        self.username = username
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(
        self,
        path: str,
        data: dict | None = None,
        *,
        body: bytes | None = None,
        headers: dict | None = None,
        timeout: float | None = None,
    ) -> Answer:
        """GET, or POST ``data`` as a form (or a ready ``body``)."""
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        started = time.perf_counter()
        try:
            response = self.opener.open(request, timeout=timeout or self.timeout)
        except urllib.error.HTTPError as error:
            response = error  # an answer all the same: 302, 404, 500 …
        with response:
            text = response.read().decode(errors="replace")
        took = time.perf_counter() - started
        return Answer(response.status, text, took, response.headers.get("Location", ""))

    def token(self, html: str) -> str:
        match = TOKEN.search(html)
        return match.group(1) if match else ""

    def login(self, password: str) -> int:
        """Open the login form and send it with its CSRF token; 302 when logged in."""
        form = self.request("/login")
        return self.request(
            "/login",
            {"username": self.username, "password": password, "csrf_token": self.token(form.text)},
        ).status

    def upload(
        self, path: str, content: bytes, file_name: str, fields: dict, *, field: str = "file"
    ) -> Answer:
        """POST a file with form fields as multipart/form-data, as a browser would."""
        body, content_type = multipart(fields, content, file_name, field=field)
        return self.request(path, body=body, headers={"Content-Type": content_type})


def multipart(
    fields: dict, content: bytes, file_name: str, *, field: str = "file"
) -> tuple[bytes, str]:
    """A multipart/form-data body of ``fields`` and one file, and its Content-Type."""
    boundary = f"----roster{uuid.uuid4().hex}"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    body += (
        f"--{boundary}\r\nContent-Disposition: form-data; "
        f'name="{field}"; filename="{file_name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body += content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Gunicorn:
    """``gunicorn 'app:create_app()'`` over ``database_url`` on 127.0.0.1 and a free port.

    A context manager: it starts the server, waits until /healthz answers, and stops it on the
    way out whatever happened (SIGTERM; SIGKILL to its process group when it lingers). The
    server's own messages go to a temporary file (``log()``), so a chatty server never blocks
    on a full pipe.
    """

    def __init__(
        self,
        database_url: str,
        *,
        workers: int = 4,
        env: dict | None = None,
        args: tuple[str, ...] = (),
        start_timeout: float = 60,
    ):
        self.database_url = database_url
        self.workers = workers
        self.env = os.environ | {"DATABASE_URL": database_url, "ROSTER_ENV": "development"}
        self.env |= env or {}
        self.args = args
        self.start_timeout = start_timeout
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._log = None

    def __enter__(self) -> Gunicorn:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
        if self._log is not None:
            self._log.close()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        self._log = tempfile.TemporaryFile(mode="w+", prefix="gunicorn-")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            *self.args,
            "app:create_app()",
        ]
        # Its own session: the master and its workers form one process group, ended together.
        self.process = subprocess.Popen(
            command,
            env=self.env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            start_new_session=True,
        )
        try:
            if not wait_until(self.healthy, self.start_timeout, 0.2):
                raise RuntimeError(f"gunicorn did not answer /healthz:\n{self.log()[-3000:]}")
        except BaseException:
            self.stop()
            raise

    def healthy(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        """The master's children (its workers), read from /proc (Linux)."""
        pids: list[int] = []
        for children in Path(f"/proc/{self.pid}/task").glob("*/children"):
            try:
                pids += [int(pid) for pid in children.read_text().split()]
            except OSError:
                continue
        return sorted(set(pids))

    def stop(self, timeout: float = 20) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group this object started
                self.process.wait(timeout=timeout)

    def log(self) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read()
