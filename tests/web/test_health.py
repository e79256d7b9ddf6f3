"""Liveness answers whatever the dependencies do; readiness (and /healthz) answers 503 naming what
is down, within HEALTH_CHECK_TIMEOUT, so an orchestrator stops routing to the process without
restarting it."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from pytest_django import Settings

from tests.faults import closed_port, hung_server

MARGIN = 1.0


@pytest.fixture
def broker_used(settings: Settings) -> Settings:
    """Tasks go to the broker (the test suite otherwise runs them in-process and has none)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    return settings


def _get(path: str) -> tuple[int, dict[str, object], float]:
    started = time.monotonic()
    response = Client().get(path)
    return response.status_code, response.json(), time.monotonic() - started


def test_it_is_ready_when_the_database_the_broker_and_the_static_files_answer(
    db: None, broker_used: Settings
) -> None:
    for path in ("/readyz", "/healthz"):
        status, body, _took = _get(path)
        assert (status, body) == (200, {"status": "ok"})


def test_it_is_not_ready_and_says_redis_when_the_broker_is_down(
    db: None, broker_used: Settings
) -> None:
    broker_used.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    for path in ("/readyz", "/healthz"):
        status, body, _took = _get(path)
        assert status == 503
        assert body["status"] == "unavailable"
        assert list(body["down"]) == ["redis"]  # type: ignore[call-overload]
    # Alive all the same: an orchestrator must not restart a process that serves the rest.
    assert _get("/livez")[:2] == (200, {"status": "ok"})


def test_a_hung_broker_costs_the_check_health_check_timeout(
    db: None, broker_used: Settings
) -> None:
    broker_used.HEALTH_CHECK_TIMEOUT = 1.0
    with hung_server() as port:
        broker_used.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
        status, body, took = _get("/readyz")
    assert status == 503
    assert body["down"] == {"redis": "no answer within 1 s"}
    assert took < 1.0 + MARGIN


@pytest.fixture
def database_hung() -> Iterator[None]:
    """New connections to the database go to a server that never answers (the test's own open
    connection is left as it is)."""
    params = connections["default"].settings_dict
    port = params["PORT"]
    with hung_server() as hung:
        params["PORT"] = hung
        try:
            yield
        finally:
            params["PORT"] = port


def test_it_is_not_ready_and_says_database_when_the_database_hangs(
    db: None, settings: Settings, database_hung: None
) -> None:
    settings.HEALTH_CHECK_TIMEOUT = 2.0
    status, body, took = _get("/readyz")
    assert status == 503
    assert list(body["down"]) == ["database"]  # type: ignore[call-overload]
    assert took < 2.0 + MARGIN
    assert _get("/livez")[0] == 200


def test_it_is_not_ready_and_says_static_files_without_collectstatic(
    db: None, settings: Settings, tmp_path: Path
) -> None:
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    status, body, _took = _get("/readyz")
    assert status == 503
    down = body["down"]
    assert isinstance(down, dict) and list(down) == ["static files"]
    assert "collectstatic" in down["static files"]


@pytest.fixture
def database_options() -> Iterator[dict[str, Any]]:
    """The default database's settings, changed for this test only (the check reads them)."""
    params = connections["default"].settings_dict
    saved = dict(params)
    params["OPTIONS"] = dict(params.get("OPTIONS", {}))
    try:
        yield params
    finally:
        params.clear()
        params.update(saved)


def test_the_database_check_connects_with_every_option_of_database_url(
    db: None, database_options: dict[str, Any]
) -> None:
    """Options of DATABASE_URL (sslrootcert, client certificates, hostaddr, target_session_attrs)
    are needed to reach the database: the check uses them as the application's connections do,
    instead of answering 503 for ever while the site works."""
    # A host name that does not resolve, reached by its address given apart (?hostaddr=).
    address = socket.gethostbyname(database_options.get("HOST") or "127.0.0.1")
    database_options["HOST"] = "database.invalid"
    database_options["OPTIONS"]["hostaddr"] = address
    status, body, _took = _get("/readyz")
    assert (status, body) == (200, {"status": "ok"})
    # And an option that rules this server out rules it out for the check too.
    database_options["OPTIONS"]["target_session_attrs"] = "read-only"
    status, body, _took = _get("/readyz")
    assert (status, body["down"]) == (503, {"database": "not answering"})


def test_an_outsider_is_told_what_is_down_but_not_where_it_is(
    db: None, database_options: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    port = closed_port()
    database_options["PORT"] = port
    with caplog.at_level(logging.WARNING, logger="annotations.web.health"):
        response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["down"] == {"database": "not answering"}
    assert str(port) not in response.content.decode()
    assert str(port) in caplog.text  # the operator reads the reason in the log
