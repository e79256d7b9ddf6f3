"""A pytest plugin loaded before Django: the test environment, and a loud stop when PostgreSQL or
Redis cannot be reached (the suite never quietly skips what needs them)."""

from __future__ import annotations

import os

import psycopg
import pytest
import redis

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/workbench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
# Most tests run tasks in-process after commit; the worker tests start a real worker instead.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# Fixtures add members to every test's desk; the limit itself is tested with its own setting.
os.environ.setdefault("MEMBER_ADD_RATE", "100000/hour")
os.environ.setdefault("COMMENT_RATE", "100000/minute")


def _postgres_problem(url: str) -> str | None:
    conninfo = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(conninfo, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL is not reachable at {url}: {exc}".strip()
    return None


def _redis_problem(url: str) -> str | None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        return f"Redis is not reachable at {url}: {exc}"
    return None


def pytest_configure(config: pytest.Config) -> None:
    problems = [
        p
        for p in (
            _postgres_problem(os.environ["DATABASE_URL"]),
            _redis_problem(os.environ["REDIS_URL"]),
        )
        if p
    ]
    if problems:
        hint = (
            "Start them (bash .ci/run does) or point DATABASE_URL / REDIS_URL at running servers."
        )
        pytest.exit("\n".join([*problems, hint]), returncode=3)
