"""The Celery app. Workers start with `celery -A workbench worker`; settings come from Django's."""

import os
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")

app = Celery("workbench")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.celeryd_init.connect
def _worker_starting(**_kwargs: Any) -> None:
    """Sent once by `celery worker` before it consumes anything (not by beat, nor by the tests'
    in-process workers): refuse to start on an unusable database, and give the worker's
    connections its own statement timeout (exports and releases run longer than a request)."""
    from django.conf import settings

    from workbench.startup import limit_statements, require_database

    require_database()
    limit_statements(settings.WORKER_DATABASE_STATEMENT_TIMEOUT)
