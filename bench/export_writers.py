"""Throughput of the export writers on synthetic rows held by an in-memory generator.

    .venv/bin/python bench/export_writers.py [--rows 200000] [--copy-dsn DSN]

Prints rows/s and MB/s per writer, plus the cost of producing the rows alone (the generator),
which every writer's figure includes. With ``--copy-dsn`` it also times PostgreSQL's
``COPY (SELECT ...) TO STDOUT`` (CSV and text) of a temporary table with the same columns and
content, the yardstick of the issue (JSONL and CSV should reach a quarter of it).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotations.exports import FORMATS
from annotations.exports.rows import (
    DEFAULT_SCALE,
    AssessmentRow,
    ClaimRow,
    ExportContext,
    SourceRow,
)

CTX = ExportContext(
    workspace_name="Desk",
    organisation_name="Les Vérificateurs",
    organisation_url="https://verif.example",
    base_url="https://workbench.example",
    scale=DEFAULT_SCALE,
)

TEXTS = [
    "Selon le ministre, « le chômage a baissé de 12 % en un an » dans toutes les régions.",
    "The senator said unemployment fell by 12 percent last year, the largest drop since 1985.",
    "D'après l'élu, la dette publique aurait doublé depuis 2017, une affirmation à vérifier.",
    "She claimed that 40% of hospitals had closed their emergency rooms at night this winter 🚑.",
]
SOURCES = (
    SourceRow(
        1,
        "https://stats.example.org/chomage/2024",
        "Chômage T4",
        "INSEE",
        "refutes",
        "7,3 %",
    ),
    SourceRow(2, "https://news.example.com/a/123", "Fact sheet", "Example News", "context", ""),
)
BASE_TIME = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


def claim_rows(count: int) -> Iterator[ClaimRow]:
    verdicts = [(label.slug, label.name, label.value) for label in DEFAULT_SCALE]
    times = [BASE_TIME + timedelta(minutes=i) for i in range(97)]
    for i in range(count):
        text = TEXTS[i % 4]
        slug, name, value = verdicts[i % 6]
        yield ClaimRow(
            i + 1,
            text,
            text[10:],
            "Jean Dupont",
            "fr",
            "published",
            1000 + i % 5000,
            1000 + i % 5000 + len(text),
            "…au cours de la conférence de presse, ",
            " a-t-il ajouté devant les journalistes",
            i // 7,
            f"https://journal.example.fr/articles/{i // 7}",
            "Le débat budgétaire",
            "Le Journal",
            times[(i // 7) % 97],
            slug,
            name,
            value,
            "",
            times[(i + 3) % 97],
            "alice",
            SOURCES,
        )


def assessment_rows(count: int) -> Iterator[AssessmentRow]:
    verdicts = [(label.slug, label.name, label.value) for label in DEFAULT_SCALE]
    for i in range(count):
        slug, name, value = verdicts[i % 6]
        yield AssessmentRow(
            i + 1,
            i // 3,
            TEXTS[i % 4],
            "disputed",
            i // 21,
            f"https://journal.example.fr/articles/{i // 21}",
            "fr",
            ("alice", "bob", "charlie")[i % 3],
            slug,
            name,
            value,
            0.75,
            "Les chiffres de l'INSEE montrent l'inverse.",
            BASE_TIME,
            BASE_TIME,
        )


def timed(make: Callable[[], Iterable[bytes]]) -> tuple[float, int, int]:
    start = time.perf_counter()
    size = chunks = 0
    for chunk in make():
        size += len(chunk)
        chunks += 1
    return time.perf_counter() - start, size, chunks


def report(name: str, count: int, seconds: float, size: int, extra: str = "") -> None:
    print(
        f"{name:<14} {count / seconds:>10,.0f} rows/s {size / seconds / 1e6:>8.1f} MB/s"
        f" {size / count:>6.0f} B/row {seconds:>6.2f} s {extra}"
    )


def bench_writers(count: int) -> dict[str, float]:
    rates = {}
    seconds, _, _ = timed(lambda: (b"" for _ in claim_rows(count)))
    report("rows only", count, seconds, 0)
    for key, fmt in FORMATS.items():
        if fmt.row_kind == "articles":
            continue  # the raw export's rows are whole articles: measured by export_api.py
        rows = assessment_rows if fmt.row_kind == "assessments" else claim_rows
        seconds, size, chunks = timed(partial(fmt.writer, rows(count), CTX))
        report(key, count, seconds, size, f"{chunks} chunks")
        rates[key] = count / seconds
    return rates


COPY_TABLE = """
CREATE TEMP TABLE bench_claims AS
SELECT i AS claim_id, t.text, substr(t.text, 11) AS normalised_text,
       'Jean Dupont'::text AS claimant,
       'fr'::text AS language, 'published'::text AS status, 1000 + i %% 5000 AS start,
       1000 + i %% 5000 + length(t.text) AS "end",
       '…au cours de la conférence de presse, '::text AS prefix,
       ' a-t-il ajouté devant les journalistes'::text AS suffix, i / 7 AS article_id,
       'https://journal.example.fr/articles/' || (i / 7) AS article_url,
       'Le débat budgétaire'::text AS article_title, 'Le Journal'::text AS publisher,
       now() AS article_published_at, 'mostly-true'::text AS verdict_slug,
       'Mostly true'::text AS verdict_name, 4.0::float8 AS verdict_value, ''::text AS verdict_note,
       now() AS reviewed_at, 'alice'::text AS adjudicator,
       'https://stats.example.org/chomage/2024 (refutes) | https://news.example.com/a/123 (context)'
         AS sources
FROM generate_series(1, %s) AS i
JOIN (SELECT row_number() OVER () - 1 AS k, text FROM unnest(%s::text[]) AS text) AS t
  ON t.k = i %% 4
"""


COPY_STATEMENTS = (
    ("COPY csv", "COPY (SELECT * FROM bench_claims) TO STDOUT (FORMAT csv, HEADER)"),
    ("COPY text", "COPY (SELECT * FROM bench_claims) TO STDOUT (FORMAT text)"),
)


def bench_copy(dsn: str, count: int, rates: dict[str, float]) -> None:
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(COPY_TABLE, (count, TEXTS))
        for name, sql in COPY_STATEMENTS:
            start = time.perf_counter()
            size = 0
            with cur.copy(sql) as copy:
                for data in copy:
                    size += len(data)
            seconds = time.perf_counter() - start
            report(name, count, seconds, size)
            copy_rate = count / seconds
            ratios = ", ".join(f"{key} {rate / copy_rate:.2f}" for key, rate in rates.items())
            print(f"{'':<14} writer / COPY: {ratios}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--copy-dsn", help="libpq connection string for the COPY yardstick")
    args = parser.parse_args()
    print(f"{args.rows:,} rows, Python {sys.version.split()[0]}")
    rates = bench_writers(args.rows)
    if args.copy_dsn:
        bench_copy(args.copy_dsn, args.rows, rates)


if __name__ == "__main__":
    main()
