"""Health checks for the orchestrator, in two kinds.

Liveness (`/livez`): the process answers; no dependency is checked, so a broker or database outage
never gets web processes restarted that are serving fine (reads, sign-in, saves that the outbox
sends later). Readiness (`/readyz`, and `/healthz` as before): the database, the broker and the
static files' manifest are usable, each looked at with a short timeout (HEALTH_CHECK_TIMEOUT, all
at once); 503 names what is down, so a load balancer stops sending traffic here until it is back.

The checks answer anyone, signed in or not, so the 503 says only which dependency is down and a
generic reason; the detail (an address, a port, psycopg's message) goes to the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

import psycopg
import redis.asyncio
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.storage import storages
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# Keys of DATABASES' OPTIONS that Django reads itself (and psycopg would refuse); every other one
# (sslmode, sslrootcert, sslcert, sslkey, target_session_attrs, keepalives, options, …) is a
# libpq connection parameter that the check's own connection must use as the application's do.
_DJANGO_OPTIONS = frozenset(
    {"isolation_level", "assume_role", "server_side_binding", "pool", "cursor_factory", "context"}
)


@require_GET
@never_cache
def livez(request: HttpRequest) -> JsonResponse:
    """200 whenever this process can answer at all."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 {"status": "ok"} when every dependency answers; 503 {"status": "unavailable",
    "down": {name: reason}} otherwise (names: database, redis, static files)."""
    timeout = float(settings.HEALTH_CHECK_TIMEOUT)
    checks: dict[str, Coroutine[Any, Any, None]] = {"database": _database(timeout)}
    broker = str(settings.CELERY_BROKER_URL)
    if not settings.CELERY_TASK_ALWAYS_EAGER and broker.startswith(("redis://", "rediss://")):
        # Nothing to check when tasks run in-process.
        checks["redis"] = _ping(broker)
    down = asyncio.run(_down(checks, timeout))
    problem = _static_files_problem()
    if problem:
        down["static files"] = problem
    if down:
        return JsonResponse({"status": "unavailable", "down": down}, status=503)
    return JsonResponse({"status": "ok"})


async def _down(checks: dict[str, Coroutine[Any, Any, None]], timeout: float) -> dict[str, str]:
    """The checks run at once, each given up after timeout: what failed, with its reason."""
    results = await asyncio.gather(
        *(asyncio.wait_for(check, timeout) for check in checks.values()), return_exceptions=True
    )
    down = {}
    for name, result in zip(checks, results, strict=True):
        if isinstance(result, TimeoutError):
            down[name] = f"no answer within {timeout:g} s"
        elif isinstance(result, BaseException):
            down[name] = "not answering"
        else:
            continue
        logger.warning("not ready: %s %s: %r", name, down[name], result)
    return down


def _database(timeout: float) -> Coroutine[Any, Any, None]:
    """SELECT 1 on a connection of its own: a pooled one could be stuck on a hung server, where
    only the wait_for around this can give up."""
    params = connections["default"].settings_dict
    if connections["default"].vendor != "postgresql":
        # SQLite in development: a file, nothing to hang on.
        return asyncio.to_thread(_select_one)
    options = {
        key: value
        for key, value in params.get("OPTIONS", {}).items()
        if key not in _DJANGO_OPTIONS and key != "connect_timeout"
    }

    async def select_one() -> None:
        async with await psycopg.AsyncConnection.connect(
            dbname=params["NAME"],
            user=params.get("USER") or None,
            password=params.get("PASSWORD") or None,
            host=params.get("HOST") or None,
            port=params.get("PORT") or None,
            connect_timeout=max(2, round(timeout)),  # libpq's smallest is 2
            **options,
        ) as pg:
            await pg.execute("SELECT 1")

    return select_one()


def _select_one() -> None:
    own = connections.create_connection("default")
    try:
        with own.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        own.close()


async def _ping(url: str) -> None:
    """PING the Redis the tasks are published to."""
    client = redis.asyncio.Redis.from_url(url)
    try:
        await client.ping()
    finally:
        await client.aclose()


def _static_files_problem() -> str | None:
    """Pages name their CSS and scripts by the hashed names of collectstatic's manifest; without
    it every page is a 500 ("Missing staticfiles manifest entry") while the API still works. The
    manifest is read once, when the process starts."""
    storage = storages["staticfiles"]
    if isinstance(storage, ManifestFilesMixin) and not storage.hashed_files:
        logger.warning("not ready: no staticfiles.json in %s", settings.STATIC_ROOT)
        return (
            "no manifest of static files when this process started "
            "(run `manage.py collectstatic`, then restart)"
        )
    return None
