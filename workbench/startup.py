"""Refusing to start on a database that cannot be used.

The web server (workbench.wsgi), `manage.py runserver` and `migrate`, and the Celery worker
(workbench.celery) call require_database() before serving anything: a malformed or unreachable
DATABASE_URL then stops them at once with one line naming the variable and a non-zero exit, instead
of a server that starts and answers 500 to every request. Commands that need no database
(collectstatic, makemessages, compilemessages, check) never call it.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import DatabaseError, connections

# Commands of manage.py that are useless without the database, checked before they start.
NEEDS_DATABASE = frozenset({"runserver", "migrate"})


def database_problem() -> str | None:
    """What keeps the default database from being used, in one line, or None when it answers."""
    if settings.DATABASE_URL_PROBLEM:
        return str(settings.DATABASE_URL_PROBLEM)
    # A connection of its own, closed at once: the process's own one may be in use (a test's
    # transaction) and is opened again when a request needs it.
    connection = connections.create_connection("default")
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        # psycopg's first line names the host and the reason; the rest repeats it per address.
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        where = connection.settings_dict.get("HOST") or connection.settings_dict.get("NAME")
        return f"DATABASE_URL: cannot connect to the database at {where}: {reason}"
    finally:
        connection.close()
    return None


def require_database(exit_code: int = 1) -> None:
    """Exit with exit_code and a message on standard error when the database cannot be used."""
    problem = database_problem()
    if problem:
        print(f"Not starting: {problem}", file=sys.stderr, flush=True)
        raise SystemExit(exit_code)
