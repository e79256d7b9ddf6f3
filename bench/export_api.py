"""Export throughput through the API stream, as a ratio to PostgreSQL's own COPY, and peak memory.

    DATABASE_URL=postgres://... .venv/bin/python bench/export_api.py [--claims 1000000]

Builds once, in a database of its own (`<DATABASE_URL db>_export_bench`), a workspace of verified
claims (resolved and published; 50 per article, 70 % French): each with one adjudication, one or
two linked sources (1.5 per claim on average), two reviewers' highlights and assessments,
generated in SQL with generate_series (a couple of minutes for a million claims). Later runs
reuse it.

Then, for each format, a fresh child process (so its peak memory is the export's alone) sends
`GET /api/v1/workspaces/{id}/export/?format=...` through the whole Django stack (middleware,
authentication, DRF view, StreamingHttpResponse) with Django's test client, reads the stream to
the end and reports the time and its RSS high-water mark (VmHWM). The yardstick, in the same run:
`COPY (<the same SQL the export runs>) TO STDOUT` for each of the export's queries (claims,
sources, adjudications; or assessments), timed by the parent over its own connection; the best
of two runs, so the ratio errs low.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/workbench")
if not os.environ.get("EXPORT_BENCH_CHILD"):
    base_url = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = base_url.rsplit("/", 1)[0] + "/" + base_url.rsplit("/", 1)[1]
    os.environ["DATABASE_URL"] += "_export_bench"
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.pop("REDIS_URL", None)
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402
import psycopg  # noqa: E402
from benchdb import ensure_database  # noqa: E402

WORKSPACE = "Export bench"
CLAIMS_PER_ARTICLE = 50
SOURCES = 5_000
FORMATS = ("fever", "assessments", "csv", "webannotation", "claimreview")

# Realistic claim texts: accents, guillemets, quotes that JSON and CSV must escape, an emoji.
TEXTS = [
    "« Le chômage a baissé de 12 % en un an », a déclaré le ministre du Travail.",
    "Selon l'Insee, le taux de pauvreté aurait doublé depuis 2017 dans les quartiers prioritaires.",
    'The senator said "unemployment fell by 12 percent last year", the largest drop since 1985.',
    "D'après l'élu, la dette publique a atteint 3 000 milliards d'euros, un record historique.",
    "She claimed that 40% of hospitals had closed their emergency rooms at night this winter 🚑.",
    "La ministre affirme que 30 000 logements sociaux ont été construits l'an dernier.",
    "According to the mayor, crime in the city centre has fallen by a third since 2020.",
    "Le gouvernement assure que les prix de l'énergie baisseront de 10 % cet hiver.",
]


def dsn() -> str:
    from django.db import connection

    settings = connection.settings_dict
    params = {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "host": settings["HOST"],
        "port": settings["PORT"],
    }
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items() if v})


def seed(claims: int) -> dict[str, Any]:
    """The workspace and its data; generated in SQL the first time (or when --claims grows)."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from annotations.models import Claim, Role, VerdictLabel, Workspace
    from annotations.services.workspaces import member_add, workspace_create

    editor, _ = User.objects.get_or_create(username="bench-editor")
    for name in ("bench-bob", "bench-carol", "bench-dave"):
        User.objects.get_or_create(username=name)
    workspace = Workspace.objects.filter(name=WORKSPACE).first()
    if workspace is None:
        workspace = workspace_create(
            user=editor,
            name=WORKSPACE,
            organisation_name="Les Vérificateurs",
            organisation_url="https://verif.example",
        )
        member_add(actor=editor, workspace=workspace, username="bench-bob", role=Role.REVIEWER)
        member_add(actor=editor, workspace=workspace, username="bench-carol", role=Role.REVIEWER)
        member_add(actor=editor, workspace=workspace, username="bench-dave", role=Role.ADJUDICATOR)
    have = Claim.objects.filter(workspace=workspace).count()
    if have >= claims:
        return {"workspace": workspace, "editor": editor, "generated": 0.0}
    if have:
        raise SystemExit(
            f"The bench database holds {have:,} claims, fewer than {claims:,}: drop it first "
            f"(DROP DATABASE {connection.settings_dict['NAME']}) or ask for fewer."
        )
    users = dict(User.objects.filter(username__startswith="bench-").values_list("username", "pk"))
    labels = list(
        VerdictLabel.objects.filter(workspace=workspace)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    articles = -(-claims // CLAIMS_PER_ARTICLE)
    params: dict[str, Any] = {
        "ws": workspace.pk,
        "editor": editor.pk,
        "bob": users["bench-bob"],
        "carol": users["bench-carol"],
        "dave": users["bench-dave"],
        "labels": labels,
        "texts": TEXTS,
        "articles": articles,
        "claims": claims,
        "per_article": CLAIMS_PER_ARTICLE,
        "sources": SOURCES,
    }
    started = time.perf_counter()
    statements = [
        (
            "articles",
            """
            INSERT INTO annotations_article (workspace_id, title, url, publisher, author,
              published_at, language, text, checksum, revision, fetch_status, fetch_error,
              extraction_status, extraction_error, created_by_id, created_at, updated_at,
              fingerprint, version)
            SELECT %(ws)s, 'Article ' || a, 'https://journal.example/articles/' || a,
              'Le Journal', '', now() - a * interval '1 hour',
              CASE WHEN a %% 10 < 7 THEN 'fr' ELSE 'en' END, repeat('x', 300), '', 1, '', '',
              'done', '', %(editor)s, now(), now(), 'bench-' || a, 1
            FROM generate_series(1, %(articles)s) AS a
            """,
        ),
        (
            "claims",
            """
            INSERT INTO annotations_claim (workspace_id, article_id, start, "end", exact, prefix,
              suffix, orphaned, claimant, normalised_text, status, origin, final_verdict_id,
              created_by_id, created_at, updated_at, version, review_url, tag)
            SELECT %(ws)s, first.id + (i - 1) / %(per_article)s, 100, 100 + length(t.text),
              t.text, 'au cours de la conférence de presse, ', ' a-t-il ajouté devant la presse',
              false, CASE WHEN i %% 3 = 0 THEN '' ELSE 'Jean Dupont' END,
              CASE WHEN i %% 2 = 0 THEN 'Le chômage a baissé de 12 %% en 2023.' ELSE '' END,
              CASE WHEN i %% 5 < 3 THEN 'resolved' ELSE 'published' END, 'manual',
              (%(labels)s::bigint[])[1 + i %% 6], %(bob)s, now() - i * interval '1 second',
              now(), 3, '', ''
            FROM generate_series(1, %(claims)s) AS i
            CROSS JOIN (SELECT min(id) AS id FROM annotations_article
                        WHERE workspace_id = %(ws)s) AS first
            JOIN (SELECT row_number() OVER () - 1 AS k, text
                  FROM unnest(%(texts)s::text[]) AS text) AS t ON t.k = i %% 8
            """,
        ),
        (
            "adjudications",
            """
            INSERT INTO annotations_adjudication (claim_id, adjudicator_id, verdict_id, note,
              created_at)
            SELECT id, %(dave)s, final_verdict_id,
              CASE WHEN id %% 3 = 0 THEN 'Chiffres Insee, voir la note « méthode ».' ELSE '' END,
              created_at + interval '2 days'
            FROM annotations_claim WHERE workspace_id = %(ws)s
            """,
        ),
        (
            "sources",
            """
            INSERT INTO annotations_source (workspace_id, url, normalised_url, title, publisher,
              published_at, created_by_id, created_at)
            SELECT %(ws)s, 'https://stats.example.org/series/' || s,
              'stats.example.org/series/' || s, 'Série statistique ' || s, 'INSEE',
              DATE '2024-01-01', %(editor)s, now()
            FROM generate_series(1, %(sources)s) AS s
            """,
        ),
        (
            "claim sources",
            """
            INSERT INTO annotations_claimsource (claim_id, source_id, stance, quote, added_by_id,
              created_at, publisher, title, url)
            SELECT c.id, first.id + (c.id + n) %% %(sources)s,
              (ARRAY['supports', 'refutes', 'context'])[1 + (c.id + n) %% 3],
              CASE WHEN n = 0 THEN 'le taux a baissé de 0,3 point' ELSE '' END,
              CASE WHEN n = 0 THEN %(bob)s ELSE %(carol)s END, c.created_at, '', '', ''
            FROM annotations_claim AS c
            CROSS JOIN (SELECT min(id) AS id FROM annotations_source
                        WHERE workspace_id = %(ws)s) AS first
            CROSS JOIN generate_series(0, 1) AS n
            WHERE c.workspace_id = %(ws)s AND (n = 0 OR c.id %% 2 = 0)
            """,
        ),
        (
            "highlights",
            # Each reviewer's highlight of the claim (Web Annotation exports one per reviewer):
            # bob's on the claim's span, carol's two characters narrower.
            """
            INSERT INTO annotations_highlight (claim_id, article_id, user_id, start, "end", exact,
              prefix, suffix, orphaned, created_at)
            SELECT c.id, c.article_id, r.reviewer, c.start + r.k * 2, c."end" - r.k * 2,
              substr(c.exact, 1 + r.k * 2, length(c.exact) - r.k * 4), c.prefix, c.suffix,
              false, c.created_at
            FROM annotations_claim AS c
            CROSS JOIN (VALUES (0, %(bob)s), (1, %(carol)s)) AS r(k, reviewer)
            WHERE c.workspace_id = %(ws)s
            """,
        ),
        (
            "assessments",
            """
            INSERT INTO annotations_assessment (claim_id, reviewer_id, verdict_id, rationale,
              confidence, created_at, updated_at, version, initial_verdict_id)
            SELECT c.id, r.reviewer, (%(labels)s::bigint[])[1 + (c.id + r.k) %% 6],
              CASE WHEN r.k = 0 THEN 'Les chiffres de l''Insee montrent l''inverse.' ELSE '' END,
              0.75, c.created_at, c.created_at, 1, (%(labels)s::bigint[])[1 + (c.id + r.k) %% 6]
            FROM annotations_claim AS c
            CROSS JOIN (VALUES (0, %(bob)s), (1, %(carol)s)) AS r(k, reviewer)
            WHERE c.workspace_id = %(ws)s
            """,
        ),
    ]
    # One transaction: an interrupted generation leaves nothing half-made behind.
    with transaction.atomic(), connection.cursor() as cursor:
        for label, sql in statements:
            step = time.perf_counter()
            cursor.execute(sql, params)
            print(f"  generated {label}: {time.perf_counter() - step:.1f} s", flush=True)
    with connection.cursor() as cursor:
        step = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        print(f"  vacuum analyze: {time.perf_counter() - step:.1f} s", flush=True)
    return {"workspace": workspace, "editor": editor, "generated": time.perf_counter() - started}


def export_sql(workspace_id: int, format_key: str) -> list[str]:
    """The SQL the export of this format runs (as annotations.services.exports builds it)."""
    from django.db import connection

    from annotations.export_rows import (
        ALL_STATUSES,
        VERIFIED_STATUSES,
        ExportFilters,
        assessment_query,
        claim_queries,
        selected_claims,
    )

    if format_key == "assessments":
        claims = selected_claims(
            workspace_id=workspace_id, filters=ExportFilters(statuses=ALL_STATUSES)
        )
        queries = [assessment_query(claims)]
    else:
        claims = selected_claims(
            workspace_id=workspace_id, filters=ExportFilters(statuses=VERIFIED_STATUSES)
        )
        if format_key == "claimreview":
            claims = claims.filter(final_verdict__isnull=False)
        # Web Annotation also reads every reviewer's highlight (a fourth query).
        queries = list(claim_queries(claims, highlights=format_key == "webannotation"))
    statements = []
    for query in queries:
        sql, params = query.query.sql_with_params()
        # PostgreSQL's operations only: the parameters bound client-side, as COPY needs them.
        statements.append(cast(Any, connection.ops).compose_sql(sql, params))
    return statements


def copy_seconds(conninfo: str, statements: list[str]) -> tuple[float, int]:
    """COPY each statement to STDOUT in one REPEATABLE READ transaction; best time of two."""
    best = float("inf")
    size = 0
    for _ in range(2):
        with psycopg.connect(conninfo) as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            started = time.perf_counter()
            size = 0
            with conn.cursor() as cursor:
                for sql in statements:
                    with cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
                        for data in copy:
                            size += len(data)
            best = min(best, time.perf_counter() - started)
    return best, size


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def child(format_key: str, workspace_id: int, username: str) -> None:
    """Run one export through the API in this process and print what it measured."""
    django.setup()
    from django.contrib.auth.models import User
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    # One small request first, so imports and connection set-up are not counted as the export's.
    client.get(f"/api/v1/workspaces/{workspace_id}/")
    before = status_kb("VmHWM")
    started = time.perf_counter()
    response = client.get(f"/api/v1/workspaces/{workspace_id}/export/?format={format_key}")
    assert response.status_code == 200, response.content
    size = chunks = lines = 0
    first_byte = 0.0
    for chunk in cast(Any, response).streaming_content:
        if not chunks:
            first_byte = time.perf_counter() - started
        chunks += 1
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "first_byte": first_byte,
                "bytes": size,
                "chunks": chunks,
                "lines": lines,
                "hwm_before_kb": before,
                "hwm_kb": status_kb("VmHWM"),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workspace", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--user", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.workspace, args.user)
        return

    ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from annotations.models import Assessment, Claim

    call_command("migrate", verbosity=0)
    print(f"Database {connection.settings_dict['NAME']}; {args.claims:,} verified claims")
    data = seed(args.claims)
    workspace = data["workspace"]
    if data["generated"]:
        print(f"Generated the data in {data['generated']:.0f} s")
    counts = {
        "claims": Claim.objects.filter(workspace=workspace).count(),
        "assessments": Assessment.objects.filter(claim__workspace=workspace).count(),
    }
    conninfo = dsn()
    connection.close()
    with open("/proc/loadavg") as load:
        print(f"load average before the run: {load.read().split()[0]} on {os.cpu_count()} cores")
    print(
        f"{'format':<14}{'rows':>10}{'MB':>8}{'export s':>10}{'rows/s':>10}"
        f"{'COPY s':>8}{'COPY rows/s':>13}{'ratio':>7}{'first byte':>11}{'peak RSS':>10}"
    )
    env = dict(os.environ, EXPORT_BENCH_CHILD="1")
    for format_key in args.formats.split(","):
        rows = counts["assessments"] if format_key == "assessments" else counts["claims"]
        copy_s, _copy_bytes = copy_seconds(conninfo, export_sql(workspace.pk, format_key))
        connection.close()
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                format_key,
                "--workspace",
                str(workspace.pk),
                "--user",
                data["editor"].username,
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        seconds = result["seconds"]
        print(
            f"{format_key:<14}{rows:>10,}{result['bytes'] / 1e6:>8.0f}{seconds:>10.1f}"
            f"{rows / seconds:>10,.0f}{copy_s:>8.1f}{rows / copy_s:>13,.0f}"
            f"{copy_s / seconds:>7.2f}{result['first_byte']:>10.2f}s"
            f"{result['hwm_kb'] / 1024:>8.0f} MB",
            flush=True,
        )
    print(
        "peak RSS: VmHWM of the process that streamed the export (Python, Django and the export;"
        f" about {result['hwm_before_kb'] / 1024:.0f} MB before the request)"
    )


if __name__ == "__main__":
    main()
