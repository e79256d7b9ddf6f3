"""Read by gunicorn when it starts in this directory (its default configuration file)."""

import os
from typing import Any


def on_starting(server: Any) -> None:
    """Check the database once, in gunicorn's master process, before any worker starts: a bad
    DATABASE_URL then stops gunicorn with one line naming it and exit code 1 (each worker would
    otherwise fail on its own, and gunicorn print a traceback as it stops the others)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    import django

    django.setup()
    from workbench.startup import require_database

    require_database()
