"""Chaos: Redis killed mid-run, a worker killed -9 mid-task, the database frozen, against a real
redis-server, real Celery workers and beat, and PostgreSQL behind a proxy that can hold every byte.
What is checked is what a user would notice: every article asked for is extracted, every export
written, every release frozen, the dispute rule applied, each exactly once; no request takes over
5 s; no 500, a 503 naming what is down instead.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import close_old_connections, connections
from django.db.models import Count
from django.test import Client
from rest_framework.test import APIClient

from annotations.models import (
    Article,
    CandidateClaim,
    Claim,
    ClaimEvent,
    DatasetRelease,
    ExportJob,
    ReleaseFile,
    TaskOutbox,
    Workspace,
)
from annotations.services.articles import article_create
from annotations.services.releases import READY, release_status
from tests.chaos.conftest import Stack, wait_for
from tests.faults import freezable_proxy

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True)]

# The longest a single request may take, whatever is down.
REQUEST_BUDGET = 5.0
# Seconds Redis stays down: several sweeps, and longer than OUTBOX_REDISPATCH_AFTER.
OUTAGE = 8.0


@dataclass
class Answer:
    method: str
    path: str
    status: int | None  # None: no answer at all (hung past the watchdog)
    seconds: float
    body: Any = None
    response: Any = None


class Requests:
    """Every request of a test, timed, served one after another by one thread that keeps its
    database connection between requests as a gunicorn worker does (CONN_MAX_AGE). A request that
    hangs past the watchdog fails the test instead of hanging the suite; the next one gets a
    fresh thread, as gunicorn replaces a worker it killed."""

    def __init__(self, watchdog: float = 30.0) -> None:
        self.answers: list[Answer] = []
        self.watchdog = watchdog
        self._worker: _WebWorker | None = None

    def __call__(
        self, client: Client, method: str, path: str, data: Any = None, **extra: Any
    ) -> Answer:
        kwargs: dict[str, Any] = dict(extra)
        if data is not None:
            kwargs["data"] = data
            if isinstance(client, APIClient):
                kwargs["format"] = "json"
        if self._worker is None:
            self._worker = _WebWorker()
        started = time.monotonic()
        outcome = self._worker.serve(lambda: getattr(client, method)(path, **kwargs), self.watchdog)
        took = time.monotonic() - started
        if outcome is None or isinstance(outcome, BaseException):
            self._worker = None  # hung or broken: abandoned
            answer = Answer(method, path, None, took, body=repr(outcome or "no answer"))
        else:
            content_type = outcome.get("Content-Type", "")
            body = outcome.json() if "json" in content_type else outcome.content[:300]
            answer = Answer(method, path, outcome.status_code, took, body, outcome)
        self.answers.append(answer)
        return answer

    def summary(self) -> str:
        slowest = max(self.answers, key=lambda a: a.seconds)
        statuses = sorted({a.status or 0 for a in self.answers})
        return (
            f"{len(self.answers)} requests, statuses {statuses}, slowest {slowest.seconds:.2f} s "
            f"({slowest.method.upper()} {slowest.path})"
        )

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def assert_none_slow_nor_500(self) -> None:
        slow = [a for a in self.answers if a.status is None or a.seconds > REQUEST_BUDGET]
        broken = [
            a for a in self.answers if a.status is not None and a.status >= 500 and a.status != 503
        ]
        assert not slow, f"requests over {REQUEST_BUDGET} s or unanswered: {slow}"
        assert not broken, f"server errors: {broken}"


@contextmanager
def database_through(port: int) -> Iterator[None]:
    """This process's web side reaches PostgreSQL through 127.0.0.1:port (the proxy)."""
    connections.close_all()
    params = connections["default"].settings_dict
    saved = params.get("HOST"), params.get("PORT")
    params["HOST"], params["PORT"] = "127.0.0.1", port
    try:
        yield
    finally:
        connections.close_all()
        params["HOST"], params["PORT"] = saved


class _WebWorker(threading.Thread):
    def __init__(self) -> None:
        super().__init__(name="chaos-web-worker", daemon=True)
        self._jobs: queue.Queue[Callable[[], Any] | None] = queue.Queue()
        self._results: queue.Queue[Any] = queue.Queue()
        self.start()

    def run(self) -> None:
        try:
            while (job := self._jobs.get()) is not None:
                # What Django's WSGI handler does around each request (the test client leaves it
                # out): a connection past CONN_MAX_AGE, or broken, is closed.
                close_old_connections()
                outcome: Any
                try:
                    outcome = job()
                except BaseException as exc:
                    outcome = exc
                close_old_connections()
                self._results.put(outcome)
        finally:
            connections.close_all()

    def serve(self, job: Callable[[], Any], watchdog: float) -> Any:
        self._jobs.put(job)
        try:
            return self._results.get(timeout=watchdog)
        except queue.Empty:
            return None

    def stop(self) -> None:
        self._jobs.put(None)
        self.join(10)


def _postgres_port() -> int:
    return int(connections["default"].settings_dict.get("PORT") or 5432)


def test_a_frozen_database_is_a_503_naming_it_within_5_s(
    stack: Stack, workspace: Workspace, alice: User
) -> None:
    """PostgreSQL stops answering (the proxy holds every byte; connections are still accepted):
    a request on a new connection gives up after DATABASE_CONNECT_TIMEOUT with a 503 saying the
    database is not answering; /readyz names the database; /livez still answers."""
    requests = Requests()
    api = APIClient()
    api.force_authenticate(alice)
    with freezable_proxy(_postgres_port()) as proxy, database_through(proxy.port):
        before = requests(api, "get", "/api/v1/workspaces/")
        assert before.status == 200, before
        requests.close()  # a web worker started after the freeze: no connection kept from before
        proxy.frozen.set()
        listing = requests(api, "get", "/api/v1/workspaces/")
        page = requests(Client(), "get", "/claims/1/")
        save = requests(
            api, "post", "/api/v1/articles/", {"workspace": workspace.pk, "text": _article_text(1)}
        )
        token = requests(
            APIClient(), "post", "/api/v1/auth/token/", {"username": "alice", "password": "x"}
        )
        ready = requests(Client(), "get", "/readyz")
        live = requests(Client(), "get", "/livez")
        requests.close()
    for answer in (listing, save, token):
        assert answer.status == 503, answer
        assert "database is not answering" in answer.body["detail"]
        assert answer.response["Retry-After"]
    assert page.status == 503 and b"database is not answering" in page.body, page
    assert ready.status == 503 and "database" in ready.body["down"], ready
    assert live.status == 200
    requests.assert_none_slow_nor_500()
    print(f"\ndatabase frozen: {requests.summary()}")

    # The database back (the web side reaches it directly again): the same request answers.
    assert not Article.objects.exists()  # the refused save left nothing behind
    after = requests(api, "get", "/api/v1/workspaces/")
    saved = requests(
        api, "post", "/api/v1/articles/", {"workspace": workspace.pk, "text": _article_text(1)}
    )
    requests.close()
    assert (after.status, saved.status) == (200, 201), (after, saved)
    assert TaskOutbox.objects.filter(task="annotations.extract_article").count() == 1


@pytest.mark.parametrize(
    "kept_for",
    [
        0,
        pytest.param(
            60,
            marks=pytest.mark.xfail(
                strict=True,
                reason=(
                    "a connection kept between requests (DATABASE_CONN_MAX_AGE > 0) to a database "
                    "that stops answering waits for ever: libpq has no read timeout, the "
                    "statement timeout is the server's own, and CONN_HEALTH_CHECKS' SELECT 1 "
                    "waits on the same socket (in production until gunicorn's 120 s kill)"
                ),
            ),
        ),
    ],
    ids=["connections-per-request", "connections-kept"],
)
def test_a_web_worker_that_served_before_the_freeze_answers_503_within_5_s(
    stack: Stack, workspace: Workspace, alice: User, kept_for: int
) -> None:
    """The same web worker (thread) before and after the freeze, as gunicorn's are: with the
    default DATABASE_CONN_MAX_AGE (0) it opens a new connection for the request after the freeze,
    which gives up after DATABASE_CONNECT_TIMEOUT."""
    requests = Requests(watchdog=2 * REQUEST_BUDGET)
    api = APIClient()
    api.force_authenticate(alice)
    params = connections["default"].settings_dict
    saved = params["CONN_MAX_AGE"]
    params["CONN_MAX_AGE"] = kept_for
    try:
        with freezable_proxy(_postgres_port()) as proxy, database_through(proxy.port):
            before = requests(api, "get", "/api/v1/workspaces/")
            assert before.status == 200, before
            proxy.frozen.set()
            listing = requests(api, "get", "/api/v1/workspaces/")
            requests.close()
    finally:
        params["CONN_MAX_AGE"] = saved
    assert listing.status == 503, listing
    requests.assert_none_slow_nor_500()


# --- Redis killed mid-run ----------------------------------------------------------------------


def _article_text(n: int) -> str:
    return (
        f"Unemployment fell to {n}.5 percent in September, the lowest rate since 19{n:02d}, the "
        f'Labor Department said. "We have created more than {n + 2}00,000 jobs a month," said '
        f"Maria Lopez, the labor secretary. The meeting ended at noon. Officials expect inflation "
        f"to reach {n + 4}% by the end of 2026."
    )


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _files(stack: Stack, folder: str) -> list[str]:
    root = stack.media / folder
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _extracted(ids: list[int]) -> bool:
    return Article.objects.filter(pk__in=ids, extraction_status="done").count() == len(ids)


def _outbox_settled() -> bool:
    return not TaskOutbox.objects.filter(done_at__isnull=True).exists()


def _no_candidate_twice() -> None:
    twice = (
        CandidateClaim.objects.values("article_id", "text").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not twice.exists(), list(twice)


@contextmanager
def article_locked(article_id: int) -> Iterator[Callable[[], None]]:
    """Another session holds the article's row lock (as a long correction would), so that an
    extraction of it, once started, waits mid-task for as long as the test needs; the context
    gives the function that lets it go."""
    params = connections["default"].settings_dict
    with psycopg.connect(
        dbname=params["NAME"],
        user=params.get("USER") or "postgres",
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or "127.0.0.1",
        port=params.get("PORT") or 5432,
    ) as holder:
        holder.execute(
            f"SELECT id FROM {Article._meta.db_table} WHERE id = %s FOR UPDATE",  # noqa: S608
            [article_id],
        )
        yield holder.rollback


def _running(article_id: int) -> bool:
    return TaskOutbox.objects.filter(
        task="annotations.extract_article",
        args=[article_id],
        heartbeat_at__isnull=False,
        done_at__isnull=True,
    ).exists()


def test_redis_killed_mid_run_loses_no_task_and_runs_none_twice(
    stack: Stack,
    workspace: Workspace,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    erin: User,
) -> None:
    stack.start_beat()
    stack.start_worker()
    requests = Requests()
    editor, annotator = _client(alice), _client(erin)
    for user, verdict in ((bob, "true"), (carol, "mostly-true")):
        answer = requests(
            _client(user), "post", f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": verdict}
        )
        assert answer.status == 201, answer
    assert Claim.objects.get(pk=claim.pk).status == "disputed"

    articles: list[int] = []

    def submit(n: int) -> None:
        answer = requests(
            annotator,
            "post",
            "/api/v1/articles/",
            {"workspace": workspace.pk, "text": _article_text(n)},
        )
        assert answer.status == 201, answer
        articles.append(int(answer.body["id"]))

    for n in range(2):
        submit(n)
    # The worker busy with an extraction (held mid-task by a lock on its article) while two more
    # wait in Redis's queue: the kill takes those two with it, and the running task's
    # acknowledgement.
    busy = article_create(user=erin, workspace=workspace, text=_article_text(99))
    articles.append(busy.pk)
    with article_locked(busy.pk) as let_go:
        wait_for(lambda: _running(busy.pk), what="the worker to start extracting the article")
        for n in range(2, 4):
            submit(n)
        stack.redis.kill()  # SIGKILL, no persistence: every queued and unacknowledged task is gone
        killed_at = time.monotonic()
        let_go()  # the running task finishes while Redis is down

    # Down for longer than a few sweeps: beat, the worker and the web side all find it gone.
    n = 4
    while time.monotonic() - killed_at < OUTAGE:
        submit(n)
        n += 1
        time.sleep(0.5)
    job = requests(editor, "post", f"/api/v1/workspaces/{workspace.pk}/exports/", {"format": "csv"})
    release = requests(
        editor,
        "post",
        f"/api/v1/workspaces/{workspace.pk}/releases/",
        {"name": "Desk", "version": "1", "formats": ["csv", "fever"]},
    )
    rule = requests(editor, "patch", f"/api/v1/workspaces/{workspace.pk}/", {"dispute_distance": 1})
    assert (job.status, release.status, rule.status) == (202, 201, 200)
    token = requests(
        APIClient(),
        "post",
        "/api/v1/auth/token/",
        {"username": "erin", "password": "erin-password-1"},
    )
    assert token.status == 200 and token.body["token"], token  # signing in needs no cache
    ready = requests(Client(), "get", "/readyz")
    assert ready.status == 503 and "redis" in ready.body["down"], ready
    live = requests(Client(), "get", "/livez")
    assert live.status == 200

    stack.redis.start()  # the same port, empty
    restarted_at = time.monotonic()
    for later in range(n, n + 4):
        submit(later)
    ready_again = requests(Client(), "get", "/readyz")
    assert ready_again.status == 200, ready_again

    release_id = int(release.body["id"])
    caught_up = wait_for(
        lambda: (
            _extracted(articles)
            and ExportJob.objects.filter(status="done").count() == 1
            and Claim.objects.get(pk=claim.pk).status == "assessed"
            and release_status(DatasetRelease.objects.get(pk=release_id)) == READY
            and _outbox_settled()
        ),
        what="every task asked for before, during and after the outage to be done",
    )
    requests.close()
    print(
        f"\nredis: down {restarted_at - killed_at:.1f} s; everything done {caught_up:.1f} s after restart"
    )

    # Nothing lost, nothing twice.
    assert len(articles) >= 12
    assert all(CandidateClaim.objects.filter(article_id=a).exists() for a in articles)
    _no_candidate_twice()
    assert len(_files(stack, "exports")) == 1
    # csv, fever and the raw file every release has.
    assert len(_files(stack, "releases")) == ReleaseFile.objects.count() == 3
    assert (
        ClaimEvent.objects.filter(
            claim=claim, kind="status_changed", before__status="disputed"
        ).count()
        == 1
    )
    assert not TaskOutbox.objects.filter(stopped_at__isnull=False).exists()
    assert set(TaskOutbox.objects.values_list("attempts", flat=True)) == {1}
    requests.assert_none_slow_nor_500()
    print(f"\nredis killed: {requests.summary()}")


# --- A worker killed -9 mid-task -----------------------------------------------------------------


def test_a_worker_killed_mid_task_has_its_work_done_once_by_another(
    stack: Stack, workspace: Workspace, claim: Claim, alice: User, erin: User
) -> None:
    stack.start_beat()
    first = stack.start_worker()
    requests = Requests()
    editor = _client(alice)
    article = article_create(user=erin, workspace=workspace, text=_article_text(0))
    with article_locked(article.pk) as let_go:
        wait_for(lambda: _running(article.pk), what="the worker to start extracting the article")
        # Queued behind it: more articles, an export and a release.
        queued = [
            article_create(user=erin, workspace=workspace, text=_article_text(n)).pk
            for n in range(1, 4)
        ]
        job = requests(
            editor, "post", f"/api/v1/workspaces/{workspace.pk}/exports/", {"format": "csv"}
        )
        release = requests(
            editor,
            "post",
            f"/api/v1/workspaces/{workspace.pk}/releases/",
            {"name": "Desk", "version": "1", "formats": ["csv", "fever"]},
        )
        assert (job.status, release.status) == (202, 201), (job, release)
        first.kill()  # kill -9 mid-task: nothing acknowledged, its lease no longer renewed
        killed_at = time.monotonic()
        let_go()
    assert Article.objects.get(pk=article.pk).extraction_status != "done"
    stack.start_worker()

    release_id = int(release.body["id"])
    recovered = wait_for(
        lambda: (
            _extracted([article.pk, *queued])
            and ExportJob.objects.filter(status="done").count() == 1
            and release_status(DatasetRelease.objects.get(pk=release_id)) == READY
            and _outbox_settled()
        ),
        what="the killed worker's task and the ones queued behind it to be done by the next worker",
    )
    requests.close()
    print(
        f"\nworker killed: everything done {time.monotonic() - killed_at:.1f} s after the kill "
        f"({recovered:.1f} s of waiting, the next worker's start-up included)"
    )
    row = TaskOutbox.objects.get(task="annotations.extract_article", args=[article.pk])
    assert row.attempts == 2  # the killed run and one more, not one per sweep
    assert Article.objects.get(pk=article.pk).extraction_status == "done"
    assert CandidateClaim.objects.filter(article=article).exists()
    _no_candidate_twice()
    assert len(_files(stack, "exports")) == 1
    # csv, fever and the raw file every release has.
    assert len(_files(stack, "releases")) == ReleaseFile.objects.count() == 3
    assert not TaskOutbox.objects.filter(stopped_at__isnull=False).exists()
    requests.assert_none_slow_nor_500()
