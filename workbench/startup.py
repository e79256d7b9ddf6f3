"""What the web server and the worker check and set as they start.

Refusing to start on a database that cannot be used:

The web server (workbench.wsgi), `manage.py runserver` and `migrate`, and the Celery worker
(workbench.celery) call require_database() before serving anything: a malformed or unreachable
DATABASE_URL then stops them at once with one line naming the variable and a non-zero exit, instead
of a server that starts and answers 500 to every request. Commands that need no database
(collectstatic, makemessages, compilemessages, check) never call it.

Limiting how long a statement may run (limit_statements), for the web processes and, with a
longer limit, for the worker.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import DatabaseError, connections

# Commands of manage.py that are useless without the database, checked before they start.
NEEDS_DATABASE = frozenset({"runserver", "migrate"})
# Set in the environment by gunicorn's master once it has checked the database
# (gunicorn.conf.py), so that the workers it forks, at start-up or later, do not check it again.
DATABASE_CHECKED = "WORKBENCH_DATABASE_CHECKED"


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


def limit_statements(seconds: float) -> None:
    """Have PostgreSQL cancel any statement of this process's connections that runs longer than
    seconds (0: no limit).

    Sent as a startup parameter of each new connection (`options=-c statement_timeout=…`), so it
    holds for every statement of that connection however long it is reused (CONN_MAX_AGE).
    PgBouncer in transaction mode does not pass startup parameters on (it refuses them unless told
    to ignore "options"): there set DATABASE_STATEMENT_TIMEOUT=0, which sends nothing, and put
    the limits on the database roles instead, e.g. `ALTER ROLE workbench SET statement_timeout =
    '30s'`, and a role for the workers with a longer one. An `options` given in DATABASE_URL is
    kept as it is.
    """
    params = connections["default"].settings_dict
    if params.get("ENGINE") != "django.db.backends.postgresql":
        return
    if seconds <= 0:  # this process's limit: the web one may be off while the worker's holds
        return
    options = params.setdefault("OPTIONS", {})
    parameters = f"-c statement_timeout={round(seconds * 1000)}"
    if not settings.DATABASE_JIT:
        # PostgreSQL's JIT compiler costs the queue reads of a workspace of 100,000 claims seconds
        # of compiling for a fraction of a second of work (README, Figures: Workspace size).
        parameters += " -c jit=off"
    options.setdefault("options", parameters)
