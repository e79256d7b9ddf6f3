import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

from workbench.startup import limit_statements, require_database  # noqa: E402  (after set-up)

limit_statements(settings.DATABASE_STATEMENT_TIMEOUT)

# Exit code 4 is gunicorn's "the application could not be loaded": gunicorn then stops at once,
# where any other code would have it start a new worker, fail the same way, and so on forever.
require_database(exit_code=4)
