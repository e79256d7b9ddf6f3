#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    from django.core.management import execute_from_command_line

    if len(sys.argv) > 1:
        import django

        from workbench.startup import NEEDS_DATABASE, limit_statements, require_database

        if sys.argv[1] in NEEDS_DATABASE:
            # Before the command starts: runserver's autoreloader would otherwise keep running
            # (and waiting for a file to change) after its server thread failed.
            django.setup()
            require_database()
        if sys.argv[1] == "runserver":
            from django.conf import settings

            # As the web server's requests (workbench.wsgi).
            limit_statements(settings.DATABASE_STATEMENT_TIMEOUT)

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
