"""Read by gunicorn when it starts in this directory (its default configuration file)."""

import os
from typing import Any


def on_starting(server: Any) -> None:
    """Check the database once, in gunicorn's master process, before any worker starts: a bad
    DATABASE_URL then stops gunicorn with one line naming it and exit code 1 (each worker would
    otherwise fail on its own, and gunicorn print a traceback as it stops the others).

    Workers then skip the check (workbench.wsgi): a worker started later, in place of one killed
    for its timeout or by the OOM killer, may well start during a database outage, and its exit
    code 4 would make the master stop the whole server instead of serving 503s until the database
    is back."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    import django

    django.setup()
    from workbench.startup import DATABASE_CHECKED, require_database

    require_database()
    os.environ[DATABASE_CHECKED] = "1"  # inherited by every worker the master forks
