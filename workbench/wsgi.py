import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

from workbench.startup import DATABASE_CHECKED, limit_statements, require_database  # noqa: E402

limit_statements(settings.DATABASE_STATEMENT_TIMEOUT)

# Under gunicorn with this directory's gunicorn.conf.py the master checked the database once at
# start-up; a worker it starts later must load even while the database is down (it answers 503
# until it is back), since a worker that fails to load with code 4 stops the whole server.
if not os.environ.get(DATABASE_CHECKED):
    # Another server, or gunicorn with another configuration: exit code 4 is gunicorn's "the
    # application could not be loaded", which stops it at once instead of starting a new worker,
    # failing the same way, and so on forever.
    require_database(exit_code=4)
