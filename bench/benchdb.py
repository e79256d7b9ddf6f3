"""What the benchmark scripts share: a PostgreSQL database of their own and quiet settings.

Imported as `benchdb` by the scripts beside it (run as `python bench/<script>.py`).
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def use_own_database(suffix: str) -> str:
    """Point DATABASE_URL at `<its database>_<suffix>` and set the settings a benchmark wants:
    production-like (DEBUG off), tasks in-process, quiet logs. Call before Django is set up."""
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/workbench")
    base, name = os.environ["DATABASE_URL"].rsplit("/", 1)
    os.environ["DATABASE_URL"] = f"{base}/{name}_{suffix}"
    os.environ.setdefault(
        "SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    )
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", message="No directory at")
    return os.environ["DATABASE_URL"]


def ensure_database(url: str) -> None:
    """Create the database named at the end of `url` when it does not exist yet."""
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare_database() -> None:
    """Create the benchmark's database when missing, set Django up and migrate it."""
    ensure_database(os.environ["DATABASE_URL"])
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
