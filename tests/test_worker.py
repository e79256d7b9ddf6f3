"""The tasks through a real Celery worker consuming from Redis, not only in-process."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth.models import User
from pytest_django import Settings
from rest_framework.test import APIClient

from annotations.models import Article, Workspace
from tests.api.conftest import web_server  # noqa: F401  (fixture)
from workbench.celery import app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker() -> Iterator[None]:
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            yield
    finally:
        app.conf.task_always_eager = True


def _wait_for(predicate: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("the worker did not finish in time")


def test_it_fetches_and_extracts_through_a_real_worker(
    worker: None,
    workspace: Workspace,
    erin: User,
    api: Callable[[User | None], APIClient],
    web_server: str,  # noqa: F811
    settings: Settings,
) -> None:
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    response = api(erin).post(
        "/api/v1/articles/", {"workspace": workspace.pk, "url": f"{web_server}/article"}
    )
    assert response.status_code == 201
    article_id = response.json()["id"]
    _wait_for(lambda: Article.objects.get(pk=article_id).extraction_status == "done")
    article = Article.objects.get(pk=article_id)
    assert article.fetch_status == "done"
    assert "Observatoire des loyers" in article.text
