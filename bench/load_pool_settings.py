"""workbench.settings with psycopg's connection pool, for `bench/load.py --db pool` only.

The workbench does not ship the pool: measured with gunicorn's sync workers it saves what kept
connections (DATABASE_CONN_MAX_AGE) save and no more, needs psycopg_pool, and a pool opened by
gunicorn's master for its start-up check would be inherited by every worker it forks, all sharing
the same connection (bench/load.py starts gunicorn without gunicorn.conf.py for these runs).
LOAD_POOL_SIZE: the most connections per process.
"""

import os

from workbench.settings import *  # noqa: F403
from workbench.settings import DATABASE_CONNECT_TIMEOUT, DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses a pool with persistent connections
DATABASES["default"]["OPTIONS"]["pool"] = {
    "min_size": 1,
    "max_size": int(os.environ.get("LOAD_POOL_SIZE", "1")),
    "timeout": float(DATABASE_CONNECT_TIMEOUT),  # the longest a request waits for a connection
}
