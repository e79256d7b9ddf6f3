"""A bad DATABASE_URL stops the web server and the worker at start-up, with one line naming the
variable and a non-zero exit; commands that need no database still run with it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.faults import closed_port, freezable_proxy
from tests.web_server import database_url, gunicorn, postgres_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

BAD_URLS = {
    "unreachable": f"postgres://postgres@127.0.0.1:{closed_port()}/workbench",
    "malformed": "postgres://postgres@127.0.0.1:not-a-port/workbench",
    "not a url": "workbench-database",
}


def _run(command: list[str], database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own programs, fixed arguments
        command,
        check=False,
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "workbench.settings",
            "DATABASE_URL": database_url,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def _refused(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode != 0
    message = [line for line in done.stderr.splitlines() if line.startswith("Not starting:")]
    assert message and "DATABASE_URL" in message[0], done.stderr
    assert "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize("url", BAD_URLS.values(), ids=BAD_URLS.keys())
def test_runserver_stops_at_once(url: str) -> None:
    _refused(_run([sys.executable, "manage.py", "runserver", "127.0.0.1:0"], url))


def test_gunicorn_stops_at_once() -> None:
    done = _run(
        [str(BIN / "gunicorn"), "workbench.wsgi", "--bind", "127.0.0.1:0", "--workers", "2"],
        BAD_URLS["unreachable"],
    )
    _refused(done)
    assert "Booting worker" not in done.stderr  # stopped before starting any


def test_a_worker_restarted_during_a_database_outage_keeps_the_server_up(
    db: None, tmp_path: Path
) -> None:
    """gunicorn checks the database once, as it starts; a worker it starts later (in place of one
    killed for its timeout, or by the OOM killer) while the database is down must come up and
    answer, not stop the whole server."""
    with (
        freezable_proxy(postgres_port()) as proxy,
        gunicorn(tmp_path, "--workers=1", DATABASE_URL=database_url(proxy.port)) as server,
    ):
        proxy.close()  # the database is down: connections refused
        first = _workers(server.output())
        os.kill(first[-1], signal.SIGKILL)
        deadline = time.monotonic() + 20
        while len(_workers(server.output())) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)  # the new worker loads the application
        assert server.process.poll() is None, server.output()
        assert server.get("/livez")[0] == 200, server.output()
        status, _body, _took = server.get("/api/v1/claims/", {"Authorization": "Token not-a-token"})
        assert status == 503  # the outage as it is, answered


def _workers(log: str) -> list[int]:
    return [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", log)]


def test_the_long_running_services_of_docker_compose_restart_when_they_stop() -> None:
    """A web server, worker or beat that exits (gunicorn halts when its workers cannot load the
    application; the worker stops on a bad DATABASE_URL) is started again by Docker."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert services[name].get("restart") in {"always", "unless-stopped", "on-failure"}, name
    assert services["migrate"]["restart"] == "no"  # runs once


def test_the_wsgi_application_refuses_to_load_under_another_server() -> None:
    done = _run([sys.executable, "-c", "import workbench.wsgi"], BAD_URLS["unreachable"])
    _refused(done)
    assert done.returncode == 4  # gunicorn's "application could not be loaded": no respawn loop


@pytest.mark.parametrize("url", [BAD_URLS["unreachable"], BAD_URLS["malformed"]])
def test_the_celery_worker_stops_at_once(url: str) -> None:
    done = _run([str(BIN / "celery"), "-A", "workbench", "worker", "--pool=solo"], url)
    _refused(done)


def test_commands_that_need_no_database_still_run(tmp_path: Path) -> None:
    url = BAD_URLS["malformed"]
    static = _run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        url,
        STATIC_ROOT=str(tmp_path),
        STATIC_MANIFEST="1",
    )
    assert static.returncode == 0, static.stderr
    assert (tmp_path / "staticfiles.json").exists()
    check = _run([sys.executable, "manage.py", "check"], url)
    assert check.returncode == 0, check.stderr
