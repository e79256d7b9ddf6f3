"""The web server as production runs it (gunicorn with this directory's gunicorn.conf.py), started
for a test on a spare port, for what only shows across processes: workers restarted by gunicorn's
master, connections kept or not between requests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

from tests.faults import closed_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class WebServer:
    process: subprocess.Popen[str]
    port: int
    log: Path

    def get(
        self, path: str, headers: dict[str, str] | None = None, timeout: float = 30.0
    ) -> tuple[int, bytes, float]:
        """Status, body and seconds taken; status 0 when the server dropped the request."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers=headers or {}
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, body = int(response.status), response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        except (urllib.error.URLError, ConnectionError):
            status, body = 0, b""
        return status, body, time.monotonic() - started

    def output(self) -> str:
        return self.log.read_text()


def database_url(port: int) -> str:
    """The test database, reached on 127.0.0.1:port (a proxy in front of PostgreSQL)."""
    params = connections["default"].settings_dict
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return (
        f"postgres://{params.get('USER') or 'postgres'}{password}@127.0.0.1:{port}/{params['NAME']}"
    )


def postgres_port() -> int:
    return int(connections["default"].settings_dict.get("PORT") or 5432)


@contextmanager
def gunicorn(tmp_path: Path, *args: str, **env: str) -> Iterator[WebServer]:
    """gunicorn serving workbench.wsgi, ready to answer /livez (without its control socket, whose
    one default path would be shared with any other gunicorn on the machine)."""
    port = closed_port()
    log = tmp_path / "gunicorn.log"
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("DATABASE_")
    }
    environment.update(DJANGO_SETTINGS_MODULE="workbench.settings", PYTHONUNBUFFERED="1", **env)
    with log.open("w") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
            [
                str(BIN / "gunicorn"),
                "workbench.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--no-control-socket",
                *args,
            ],
            cwd=ROOT,
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    server = WebServer(process, port, log)
    try:
        deadline = time.monotonic() + 30
        while server.get("/livez", timeout=2)[0] != 200:
            assert process.poll() is None, server.output()
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
