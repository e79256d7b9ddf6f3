#!/usr/bin/env python
import os
import secrets
import sys

# Offline text commands: they read files and print results, sign nothing and keep nothing, so on a
# machine with no settings at all they run with a throwaway key rather than stop for want of one.
OFFLINE_COMMANDS = frozenset(
    {
        "match_claims",
        "score_sentences",
        "extract_claims",
        "train_claim_scorer",
        "evaluate_claim_scorer",
    }
)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    from django.core.management import execute_from_command_line

    if (
        len(sys.argv) > 1
        and sys.argv[1] in OFFLINE_COMMANDS
        and "SECRET_KEY_FILE" not in os.environ
    ):
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
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
