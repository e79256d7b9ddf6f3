"""A hung or unreachable dependency costs a request a bounded wait and a clear answer, never a hang
or a 500: the database's connect and statement timeouts, the broker's publish budget
(TASK_PUBLISH_TIMEOUT), and signing in while the cache (Redis) is down or hung."""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django import Settings as SettingsWrapper
from rest_framework.test import APIClient

from annotations.models import CandidateClaim, ReferenceClaim, TaskOutbox, Workspace
from annotations.services.articles import article_create
from tests.faults import closed_port, freezable_proxy, hung_server
from tests.web_server import database_url, gunicorn, postgres_port
from workbench.celery import app

ROOT = Path(__file__).resolve().parent.parent
# What a request may take beyond its budget: Python, Django and the test client.
MARGIN = 1.0


def _server_database_url() -> str:
    """DATABASE_URL with the server's own `postgres` database, which always exists: the one the
    suite is given is only the name its test database is made from, and may not exist itself."""
    server, _slash, _name = os.environ.get("DATABASE_URL", "").rpartition("/")
    return f"{server}/postgres" if server.startswith("postgres") else ""


# What the processes these tests start get: the suite's environment, pointed at a database that
# exists (a test may still give its own DATABASE_URL).
_BASE_ENV = {**os.environ, "DJANGO_SETTINGS_MODULE": "workbench.settings"}
if _server_database_url():
    _BASE_ENV["DATABASE_URL"] = _server_database_url()


def _manage(*args: str, **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - our own programs, fixed arguments
        [sys.executable, "manage.py", *args],
        check=False,
        cwd=ROOT,
        env={**_BASE_ENV, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done, time.monotonic() - started


# --- PostgreSQL ---------------------------------------------------------------------------------


def _python(script: str, **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - our own interpreter running fixed code
        [sys.executable, "-c", script],
        check=False,
        cwd=ROOT,
        env={**_BASE_ENV, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done, time.monotonic() - started


WEB = "import workbench.wsgi\n"  # the web server's start-up
WORKER = (
    "import django; django.setup()\n"
    "from celery import signals\n"
    "from workbench.celery import app\n"
    "signals.celeryd_init.send(sender='test', instance=None, conf=app.conf, options={})\n"
)
COMMAND = "import django; django.setup()\n"  # a management command, a script
SHOW = (
    "from django.db import connection\n"
    "cursor = connection.cursor(); cursor.execute('SHOW statement_timeout')\n"
    "print(cursor.fetchone()[0])\n"
)


def test_a_web_statement_over_the_limit_is_cancelled_with_a_clear_error() -> None:
    sleep = "from django.db import connection\nconnection.cursor().execute('SELECT pg_sleep(20)')"
    done, took = _python(WEB + sleep, DATABASE_STATEMENT_TIMEOUT="1")
    assert done.returncode != 0
    assert "canceling statement due to statement timeout" in done.stderr
    assert took < 10, took  # the interpreter's start-up and Django's set-up, and 1 s of sleep


@pytest.mark.parametrize(
    ("start", "limit"),
    [(WEB, "30s"), (WORKER, "10min"), (COMMAND, "0")],
    ids=["web", "worker", "command"],
)
def test_web_processes_and_workers_have_their_own_statement_limits(start: str, limit: str) -> None:
    """Requests stop after DATABASE_STATEMENT_TIMEOUT; a worker's statements (exports) after
    WORKER_DATABASE_STATEMENT_TIMEOUT; migrations and management commands are not limited."""
    done, _took = _python(start + SHOW)
    assert done.stdout.strip() == limit, done.stderr


@pytest.mark.parametrize(("setting", "jit"), [("0", "off"), ("1", "on")])
def test_web_processes_run_without_postgresqls_jit_unless_told(setting: str, jit: str) -> None:
    """JIT compiling cost the queue reads of a 100,000-claim workspace seconds (bench/scaling.py)."""
    done, _took = _python(WEB + SHOW.replace("statement_timeout", "jit"), DATABASE_JIT=setting)
    assert done.stdout.strip() == jit, done.stderr


def test_turning_off_the_web_limit_leaves_the_workers_limit() -> None:
    """DATABASE_STATEMENT_TIMEOUT=0 is for requests only: exports still stop after 10 minutes."""
    done, _took = _python(WORKER + SHOW, DATABASE_STATEMENT_TIMEOUT="0")
    assert done.stdout.strip() == "10min", done.stderr
    done, _took = _python(WEB + SHOW, DATABASE_STATEMENT_TIMEOUT="0")
    assert done.stdout.strip() == "0", done.stderr


def test_a_hung_database_stops_the_server_at_start_up_after_the_connect_timeout() -> None:
    with hung_server() as port:
        done, took = _manage(
            "migrate",
            "--check",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/workbench",
            DATABASE_CONNECT_TIMEOUT="2",  # libpq's smallest
        )
    assert done.returncode == 1
    assert done.stderr.startswith("Not starting: DATABASE_URL: cannot connect to the database")
    assert "timeout" in done.stderr
    assert took < 10, took


def test_a_request_after_the_database_froze_gets_a_503_within_the_connect_timeout(
    db: None, tmp_path: Path
) -> None:
    """A web worker that used the database, which then freezes (accepts connections, answers
    nothing): its next request opens a new connection, gives up after DATABASE_CONNECT_TIMEOUT
    and answers 503, instead of waiting on the kept connection for gunicorn's kill."""
    token = {"Authorization": "Token not-a-token"}  # looked up in the database: 401
    with (
        freezable_proxy(postgres_port()) as proxy,
        gunicorn(
            tmp_path,
            "--workers=1",
            "--timeout=20",
            DATABASE_URL=database_url(proxy.port),
            DATABASE_CONNECT_TIMEOUT="2",  # libpq's smallest
        ) as server,
    ):
        assert server.get("/api/v1/claims/", token)[0] == 401
        proxy.frozen.set()
        status, body, took = server.get("/api/v1/claims/", token)
    assert status == 503, (body, server.output())
    assert took < 2 + MARGIN, took


def test_web_connections_probe_a_vanished_database() -> None:
    """TCP keepalives and tcp_user_timeout on every connection, so a database cut off by the
    network is noticed by the kernel instead of after gunicorn's kill."""
    show = (
        "from django.db import connection\n"
        "connection.ensure_connection()\n"
        "import json; print(json.dumps(connection.connection.info.get_parameters()))\n"
    )
    done, _took = _python(WEB + show)
    parameters = json.loads(done.stdout)
    assert parameters["keepalives"] == "1", done.stderr
    assert int(parameters["keepalives_idle"]) > 0
    assert int(parameters["tcp_user_timeout"]) > 0


# --- The broker ---------------------------------------------------------------------------------


def _drop_broker_connections() -> None:
    """The next publish opens a new connection to whatever broker_url now says (app.close() alone
    leaves the producer pool, and its connection to the old address, in place)."""
    app.close()
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


@contextmanager
def broker_at(port: int) -> Iterator[None]:
    """Tasks are published to 127.0.0.1:port instead of running in-process."""
    original, eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.update(broker_url=f"redis://127.0.0.1:{port}/{_redis_db()}")
    _drop_broker_connections()
    try:
        yield
    finally:
        app.conf.update(broker_url=original)
        _drop_broker_connections()
        app.conf.task_always_eager = eager


def _redis_db() -> int:
    return int(
        redis.Redis.from_url(django_settings.REDIS_URL).connection_pool.connection_kwargs["db"]
    )


def _redis_port() -> int:
    return int(
        redis.Redis.from_url(django_settings.REDIS_URL).connection_pool.connection_kwargs["port"]
    )


_rates = itertools.count(1)


def _save(
    api: Callable[[User | None], APIClient],
    erin: User,
    workspace: Workspace,
    capture: Callable[..., object],
) -> float:
    started = time.monotonic()
    with capture(execute=True):  # type: ignore[attr-defined]
        response = api(erin).post(
            "/api/v1/articles/",
            {"workspace": workspace.pk, "text": f"Unemployment fell to {next(_rates)} percent."},
        )
    assert response.status_code == 201, response.content
    return time.monotonic() - started


def test_a_save_waits_at_most_task_publish_timeout_for_a_broker_that_never_answers(
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    budget = django_settings.TASK_PUBLISH_TIMEOUT
    with hung_server() as port, broker_at(port):
        took = _save(api, erin, workspace, django_capture_on_commit_callbacks)
    assert took < budget + MARGIN, took


@contextmanager
def redis_hung_after_use() -> Iterator[None]:
    """The broker answered a publish (the process holds a pooled connection to it), then hung:
    the case that held each save 9 s, the whole budget on each of three socket waits."""
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    queued_before = client.llen("celery")
    try:
        with freezable_proxy(_redis_port()) as proxy, broker_at(proxy.port):
            app.send_task("annotations.warm-up")  # nobody runs it
            assert client.llen("celery") == queued_before + 1  # it went through
            proxy.frozen.set()
            yield
    finally:
        client.delete("celery")  # this test's own Redis database


def test_a_save_waits_at_most_task_publish_timeout_when_redis_hangs_mid_run(
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    budget = django_settings.TASK_PUBLISH_TIMEOUT
    with redis_hung_after_use():
        for _ in range(2):
            took = _save(api, erin, workspace, django_capture_on_commit_callbacks)
            assert took < budget + MARGIN, took


# --- Signing in with the cache down ---------------------------------------------------------------


@pytest.fixture(params=["down", "hung"])
def cache_unreachable(request: pytest.FixtureRequest, settings: SettingsWrapper) -> Iterator[None]:
    """The cache (Redis) refuses connections, or accepts them and never answers."""

    def point_at(port: int) -> None:
        settings.CACHES = {
            "default": {
                **settings.CACHES["default"],
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
            }
        }

    if request.param == "down":
        point_at(closed_port())
        yield
    else:
        with hung_server() as port:
            point_at(port)
            yield


# Two looks at the cache at most, each given up after CACHE_TIMEOUT.
def _sign_in_budget() -> float:
    return 2 * float(django_settings.CACHE_TIMEOUT) + MARGIN


def test_the_api_gives_a_token_while_the_cache_is_unreachable(
    alice: User, cache_unreachable: None, caplog: pytest.LogCaptureFixture
) -> None:
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": "alice", "password": "alice-password-1"}
        )
    assert response.status_code == 200, response.content
    assert response.json()["token"]
    assert time.monotonic() - started < _sign_in_budget()
    assert "throttle is off" in caplog.text

    wrong = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "guess"})
    assert wrong.status_code == 400  # the password is still checked


def test_the_sign_in_page_works_while_the_cache_is_unreachable(
    alice: User, cache_unreachable: None, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        wrong = client.post(reverse("login"), {"username": "alice", "password": "guess"})
    assert wrong.status_code == 200  # the form again, with its error
    assert time.monotonic() - started < _sign_in_budget()
    assert "sign-in failure limit is off" in caplog.text

    started = time.monotonic()
    right = client.post(reverse("login"), {"username": "alice", "password": "alice-password-1"})
    assert right.status_code == 302 and "_auth_user_id" in client.session
    assert time.monotonic() - started < _sign_in_budget()


CANDIDATE_TEXT = (
    "Le chômage a reculé de 0,3 point au troisième trimestre, selon l'Insee. "
    "« Nous avons créé plus de 40 000 emplois depuis janvier », a déclaré la ministre du Travail. "
    "Une trentaine de départements restent au-dessus de 9 % de chômage. "
    "Le déficit public atteindra 5,1 % du PIB en 2026, prévoit Bercy."
)


def test_a_save_that_asks_for_many_tasks_waits_at_most_task_publish_timeout_in_all(
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """Accepting all of an article's candidates asks for one matching task per new claim: after
    the first publish fails, the others are left to the outbox sweep instead of each waiting.
    (Matching is asked for in a workspace with something checked to match with: here an outside
    fact-check.)"""
    ReferenceClaim.objects.create(
        workspace=workspace,
        url="https://factcheck.example/deficit",
        claim_text="The public deficit will reach 5.1% of GDP in 2026.",
        origin="test",
    )
    with django_capture_on_commit_callbacks(execute=True):
        article = article_create(user=erin, workspace=workspace, text=CANDIDATE_TEXT, language="fr")
    pending = CandidateClaim.objects.filter(article=article, status="pending").count()
    assert pending >= 3
    budget = django_settings.TASK_PUBLISH_TIMEOUT
    with redis_hung_after_use():
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = api(erin).post(f"/api/v1/articles/{article.pk}/candidates/accept-all/")
        took = time.monotonic() - started
    assert response.status_code == 200, response.content
    assert response.json()["claims_created"] == pending
    assert took < budget + MARGIN, took
    # Nothing lost: every matching task waits in the outbox for the sweep.
    waiting = TaskOutbox.objects.filter(task="annotations.match_claim", done_at__isnull=True)
    assert waiting.count() == pending


# --- Requests while the database is unreachable -------------------------------------------------


@contextmanager
def database_at(port: int) -> Iterator[None]:
    """New connections go to 127.0.0.1:port (the test's own connection is closed first)."""
    connection = connections["default"]
    params = connection.settings_dict
    saved = params["HOST"], params["PORT"], dict(params.get("OPTIONS", {}))
    connection.close()
    params["HOST"], params["PORT"] = "127.0.0.1", port
    params.setdefault("OPTIONS", {})["connect_timeout"] = 2  # libpq's smallest
    try:
        yield
    finally:
        connection.close()
        params["HOST"], params["PORT"], params["OPTIONS"] = saved


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fault", ["down", "hung"])
def test_requests_answer_503_while_the_database_is_unreachable(fault: str) -> None:
    someone = User(pk=1, username="someone")  # never read from the database
    api_client = APIClient()
    api_client.force_authenticate(someone)
    with contextlib.ExitStack() as stack:
        port = closed_port() if fault == "down" else stack.enter_context(hung_server())
        stack.enter_context(database_at(port))
        started = time.monotonic()
        api_answer = api_client.get("/api/v1/workspaces/")
        page = Client().get("/claims/1/")
        took = time.monotonic() - started
    assert api_answer.status_code == 503
    assert api_answer["Content-Type"] == "application/json"
    assert "database is not answering" in api_answer.json()["detail"]
    assert page.status_code == 503 and b"database is not answering" in page.content
    assert api_answer["Retry-After"] and page["Retry-After"]
    assert took < 2 * (2 + MARGIN), took  # two requests, each at most the connect timeout
