"""README's production steps, run as written under production settings, give a site whose pages
and static files load (without `collectstatic` every page was a 500 while the health check said
200)."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MARKER = "<!-- production steps:"
# The commands that keep running; every other line must finish with exit status 0.
SERVERS = ("gunicorn ", "daphne ", "celery ")


def production_block() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme[readme.index(MARKER) :]
    block = re.search(r"```sh\n(.*?)```", after, re.DOTALL)
    assert block, "no ```sh block after the production steps' marker in README.md"
    return [line for line in block.group(1).splitlines() if line.strip()]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def database() -> Iterator[str]:
    """A database of this test's own, created empty and dropped afterwards."""
    url = os.environ["DATABASE_URL"]
    server, _slash, name = url.rpartition("/")
    own = f"{name}_readme"
    admin = server.replace("postgres://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(own)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(own)))
    try:
        yield f"{server}/{own}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(own))
            )


def _command(line: str, port: int, live_port: int) -> list[str]:
    """The README's line with our interpreter and tools, gunicorn and daphne on spare local ports
    and with one worker (the machine is shared)."""
    words = shlex.split(line)
    if words[0] == "python":
        return [sys.executable, *words[1:]]
    words[0] = str(BIN / words[0])
    if "--port" in words:
        words[words.index("--bind") + 1] = "127.0.0.1"
        words[words.index("--port") + 1] = str(live_port)
    elif "--bind" in words:
        words[words.index("--bind") + 1] = f"127.0.0.1:{port}"
    if "--workers" in words:
        words[words.index("--workers") + 1] = "1"
    return words


def _fetch(url: str) -> tuple[int, bytes]:
    # As a TLS proxy would send it: SECURE_SSL_REDIRECT is on, as in production.
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())


def _handshake(port: int, path: str) -> bytes:
    """The first line of the answer to a WebSocket opening handshake, without a session."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1\r\n\r\n"
            ).encode()
        )
        return conn.recv(200).split(b"\r\n", 1)[0]


def _wait_until_served(url: str, server: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn stopped"
        try:
            _fetch(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer in time")


def test_the_readme_production_steps_serve_pages_with_their_static_files(
    database: str, tmp_path: Path
) -> None:
    lines = production_block()
    assert any("collectstatic" in line for line in lines)
    web = [line for line in lines if line.startswith("gunicorn ")]
    assert len(web) == 1, "the block starts gunicorn once"
    port, live_port = _free_port(), _free_port()
    env = {
        # Production as the README describes it, nothing of the test suite's own settings.
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "DEBUG": "0",
        "SECRET_KEY": "readme-production-test-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database,
        "REDIS_URL": os.environ["REDIS_URL"],
        "BEHIND_TLS_PROXY": "1",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    servers: list[subprocess.Popen[bytes]] = []
    try:
        for line in lines:
            command = _command(line, port, live_port)
            if not line.startswith(SERVERS):
                done = subprocess.run(  # noqa: S603 - the README's own commands
                    command,
                    check=False,
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
                continue
            # beat keeps its schedule file in its working directory.
            beat = " beat" in line
            servers.append(
                subprocess.Popen(  # noqa: S603 - the README's own commands
                    command,
                    cwd=tmp_path if beat else ROOT,
                    env={**env, "PYTHONPATH": str(ROOT)} if beat else env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )

        site = f"http://127.0.0.1:{port}"
        gunicorn = servers[[ln for ln in lines if ln.startswith(SERVERS)].index(web[0])]
        _wait_until_served(f"{site}/livez", gunicorn)
        status, page = _fetch(f"{site}/login/")
        assert status == 200, page[:2000]
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', page)
        assert assets, "the sign-in page names no static file"
        for asset in assets:
            status, _body = _fetch(site + asset.decode())
            assert status == 200, asset
        # Hashed by collectstatic's manifest, so browsers may keep them for ever.
        assert all(re.search(rb"\.[0-9a-f]{12}\.", asset) for asset in assets), assets
        assert _fetch(f"{site}/readyz") == (200, b'{"status": "ok"}')
        # daphne serves the application too, and its socket route refuses a visitor.
        live = servers[
            [ln for ln in lines if ln.startswith(SERVERS)].index(
                next(ln for ln in lines if ln.startswith("daphne "))
            )
        ]
        _wait_until_served(f"http://127.0.0.1:{live_port}/livez", live)
        assert _handshake(live_port, "/ws/articles/1/").startswith(b"HTTP/1.1 403")
        # The worker and beat started and are still running.
        assert all(server.poll() is None for server in servers)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
