"""The chaos suite's own stack: a redis-server on a spare port that a test can kill and start again,
Celery workers and beat as separate processes (so that one can be killed -9 mid-task) on the test
database, and the test process's web side pointed at that Redis for its broker and cache.

The worker and beat run with short outbox intervals (OUTBOX_*) so that what the sweep recovers is
recovered within the suite's few minutes, as it is within a few of those intervals in production.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from django.db import connections
from pytest_django import Settings

from tests.faults import closed_port
from workbench.celery import app

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"

# The intervals the worker and beat run with here (seconds). Short, so a fault is recovered within
# the suite; the lease is a few heartbeats long so that a loaded machine does not take a live task
# for a lost one.
OUTBOX_SWEEP_INTERVAL = 1
OUTBOX_REDISPATCH_AFTER = 4
OUTBOX_LEASE = 6
# How long an outcome may take to show on a loaded 2-core machine (polling, not a request budget).
OUTCOME_DEADLINE = 90.0


def wait_for(
    predicate: Callable[[], bool], seconds: float = OUTCOME_DEADLINE, what: str = ""
) -> float:
    """Poll until predicate() holds; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds:g} s: {what or predicate}")


class RedisServer:
    """A redis-server of the test's own, without persistence: killed, it loses every queued and
    unacknowledged message, as a Redis restarted without a disk does."""

    def __init__(self, directory: Path) -> None:
        self.port = closed_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - a fixed program and arguments
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        try:
            wait_for(lambda: _pings(client), seconds=20, what="redis-server to start")
        finally:
            client.close()

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
            self.process = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@dataclass
class CeleryProcess:
    """`celery -A workbench worker` or `beat`, its output in a log file of the test's."""

    args: list[str]
    env: dict[str, str]
    log: Path
    ready_line: str
    process: subprocess.Popen[bytes] | None = None
    started_at: float = field(default=0.0)

    def start(self) -> None:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own celery with fixed arguments
            [CELERY, "-A", "workbench", *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        self.started_at = time.monotonic()
        wait_for(
            lambda: self.ready_line in self.log.read_text(errors="replace"),
            seconds=60,
            what=f"celery {self.args[0]} to start ({self.log})",
        )

    def kill(self) -> None:
        """SIGKILL: nothing is acknowledged, nothing cleaned up (an OOM kill, a lost machine)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None


@dataclass
class Stack:
    redis: RedisServer
    media: Path
    env: dict[str, str]
    logs: Path
    workers: list[CeleryProcess] = field(default_factory=list)
    beat: CeleryProcess | None = None

    def start_worker(self) -> CeleryProcess:
        n = len(self.workers) + 1
        worker = CeleryProcess(
            args=[
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=chaos{n}@%h",
                "--loglevel=INFO",
            ],
            env=self.env,
            log=self.logs / f"worker{n}.log",
            ready_line="ready.",
        )
        worker.start()
        self.workers.append(worker)
        return worker

    def start_beat(self) -> None:
        self.beat = CeleryProcess(
            args=[
                "beat",
                f"--schedule={self.logs / 'beat-schedule'}",
                "--loglevel=INFO",
            ],
            env=self.env,
            log=self.logs / "beat.log",
            ready_line="beat: Starting",
        )
        self.beat.start()

    def logs_text(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}"
            for path in sorted(self.logs.glob("*.log"))
        )


def _drop_broker_connections() -> None:
    """The next publish opens a connection to whatever broker_url now says."""
    app.close()
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


@pytest.fixture
def stack(transactional_db: None, settings: Settings, tmp_path: Path) -> Iterator[Stack]:
    """Redis, a worker and beat on the test database; the web side (this process) publishing to
    that Redis and caching in it. Torn down before the transactional test empties the tables."""
    logs = tmp_path / "logs"
    logs.mkdir()
    media = tmp_path / "media"
    media.mkdir()
    server = RedisServer(logs)
    server.start()

    params = connections["default"].settings_dict
    database_url = "postgres://{user}{password}@{host}:{port}/{name}".format(
        user=params.get("USER") or "postgres",
        password=f":{params['PASSWORD']}" if params.get("PASSWORD") else "",
        host=params.get("HOST") or "127.0.0.1",
        port=params.get("PORT") or 5432,
        name=params["NAME"],  # the test database
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "workbench.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": server.url,
        "CELERY_BROKER_URL": server.url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MEDIA_ROOT": str(media),
        "OUTBOX_SWEEP_INTERVAL": str(OUTBOX_SWEEP_INTERVAL),
        "OUTBOX_REDISPATCH_AFTER": str(OUTBOX_REDISPATCH_AFTER),
        "OUTBOX_LEASE": str(OUTBOX_LEASE),
        # Soft limit 30 s, hard 60 s, Redis's own redelivery after 120 s: the outbox's lease (6 s)
        # is what brings a killed worker's task back here, as it is in production.
        "CELERY_TASK_TIME_LIMIT": "60",
        "PYTHONUNBUFFERED": "1",
    }
    running = Stack(redis=server, media=media, env=env, logs=logs)

    settings.MEDIA_ROOT = media
    settings.CELERY_BROKER_URL = server.url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": server.url, "KEY_PREFIX": "chaos"}
    }
    original_broker, original_eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.update(broker_url=server.url)
    _drop_broker_connections()
    try:
        yield running
    finally:
        for worker in running.workers:
            worker.stop()
        if running.beat is not None:
            running.beat.stop()
        server.kill()
        app.conf.update(broker_url=original_broker)
        app.conf.task_always_eager = original_eager
        _drop_broker_connections()
        # Django's connections of this test (the frozen one included) are closed before the
        # tables are emptied, and the killed processes' sessions are gone before the test
        # database is dropped at the end of the run.
        connections.close_all()
        _wait_for_sessions_to_end(params)


def _wait_for_sessions_to_end(params: dict[str, Any]) -> None:
    """PostgreSQL ends a session a moment after its client died; wait for that (then end what is
    left: only this test's processes use the test database)."""
    others = "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
    with psycopg.connect(
        dbname="postgres",
        user=params.get("USER") or "postgres",
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or "127.0.0.1",
        port=params.get("PORT") or 5432,
        autocommit=True,
    ) as pg:

        def ended() -> bool:
            row = pg.execute(f"SELECT count(*) {others}", [params["NAME"]]).fetchone()
            return row is not None and row[0] == 0

        try:
            wait_for(ended, seconds=10, what="the test processes' sessions to end")
        except AssertionError:
            pg.execute(f"SELECT pg_terminate_backend(pid) {others}", [params["NAME"]])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed chaos test shows what the worker, beat and Redis said."""
    report = yield
    running = getattr(item, "funcargs", {}).get("stack")
    if report.failed and isinstance(running, Stack):
        report.sections.append(("chaos stack logs", running.logs_text()))
    return report
