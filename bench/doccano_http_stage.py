"""The doccano side of bench/article_http.py, run by the scratch environment's Python.

    /tmp/doccano-venv/bin/python bench/doccano_http_stage.py ARTICLE.json

Not timed: a fresh database (PostgreSQL, the one DATABASE_URL names, dropped and created),
doccano's migrations and roles, a project admin and an annotator (`bench`) with a token, a
SequenceLabeling project with one span type, and one example holding ARTICLE.json's `text` with
its `spans` (`[[start, end], ...]`, end exclusive) as the annotator's spans, made with doccano's
models. Prints one line, `DOCCANO_HTTP {"project": ..., "example": ..., "token": ..., ...}`.

doccano's apps are top-level modules (`api`, `projects`, ...) inside its `backend` folder, put on
sys.path the way doccano's own command line does; this file's folder is taken off it first
(bench/api.py would shadow doccano's `api`). Its imports go through importlib: doccano is not
installed where the project's type checker runs.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PREFIX = "DOCCANO_HTTP "


def recreate_database(url: str) -> None:
    psycopg2: Any = importlib.import_module("psycopg2")
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def doccano_setup() -> None:
    spec = importlib.util.find_spec("backend")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("doccano_http_stage: doccano's backend is not installed in this Python")
    sys.path.append(next(iter(spec.submodule_search_locations)))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    importlib.import_module("django").setup()


def build(article: dict[str, Any]) -> dict[str, Any]:
    call_command: Any = importlib.import_module("django.core.management").call_command
    User: Any = importlib.import_module("django.contrib.auth").get_user_model()
    Token: Any = importlib.import_module("rest_framework.authtoken.models").Token
    projects: Any = importlib.import_module("projects.models")
    Role: Any = importlib.import_module("roles.models").Role
    SpanType: Any = importlib.import_module("label_types.models").SpanType
    Example: Any = importlib.import_module("examples.models").Example
    Span: Any = importlib.import_module("labels.models").Span

    call_command("migrate", verbosity=0, interactive=False)
    call_command("create_roles", verbosity=0)
    admin = User.objects.create_user("bench-admin", "admin@example.org", "bench-admin")
    annotator = User.objects.create_user("bench", "bench@example.org", "bench")
    project = projects.SequenceLabelingProject.objects.create(
        name="bench",
        description="an article with its spans",
        project_type=projects.ProjectType.SEQUENCE_LABELING,
        created_by=admin,
    )
    projects.Member.objects.create(
        user=admin, project=project, role=Role.objects.get(name="project_admin")
    )
    projects.Member.objects.create(
        user=annotator, project=project, role=Role.objects.get(name="annotator")
    )
    label = SpanType.objects.create(text="CLAIM", project=project)
    example = Example.objects.create(project=project, text=article["text"], upload_name="article")
    Span.objects.bulk_create(
        Span(example=example, user=annotator, label=label, start_offset=start, end_offset=end)
        for start, end in article["spans"]
    )
    # The same text again, without a span: article_http creates spans on it.
    empty = Example.objects.create(project=project, text=article["text"], upload_name="empty")
    connection: Any = importlib.import_module("django.db").connection
    with connection.cursor() as cursor:  # statistics, as on the workbench's side
        cursor.execute("ANALYZE")
    return {
        "version": importlib.metadata.version("doccano"),
        "project": project.pk,
        "example": example.pk,
        "empty": empty.pk,
        "label": label.pk,
        "token": Token.objects.create(user=annotator).key,
        "spans": Span.objects.filter(example=example, user=annotator).count(),
    }


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    article = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    recreate_database(os.environ["DATABASE_URL"])
    doccano_setup()
    print(PREFIX + json.dumps(build(article)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
