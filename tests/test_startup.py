"""A bad DATABASE_URL stops the web server and the worker at start-up, with one line naming the
variable and a non-zero exit; commands that need no database still run with it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults import closed_port

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
