"""What reading an article costs as its claims grow: the targets of issue 15.

    make bench-article-read     # or: DATABASE_URL=postgres://... .venv/bin/python bench/article_read.py

Builds (once, in a database of its own, `<DATABASE_URL db>_reads`) two articles of one workspace:
one with a single claim and one with 1,000 (each claim a sentence of about 90 characters,
highlighted by the reviewer who reads it), then reads both through the whole Django stack
(middleware, DRF, the policy, the renderer) with the test client, alternating, median of several
runs, and prints:

- the time of each read and their ratio (target: at most 6);
- the body's size and the bytes each claim adds (target: at most 500);
- the same reads answered 304 when the reader sends back the ETag it got (If-None-Match);
- `GET /claims/{id}/`, the single-claim read, and its 304.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchdb import prepare_database, use_own_database

use_own_database("reads")


CLAIMS = 1_000
SUBJECTS = ["Le chômage", "L'inflation", "La dette publique", "Le déficit", "La croissance"]


def sentence(i: int) -> str:
    return (
        f"{SUBJECTS[i % len(SUBJECTS)]} a varié de {i % 97},{i % 10} % en {1990 + i % 35}, "
        f"selon le rapport numéro {i} publié ce mardi. "
    )


def seed() -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.db import transaction

    from annotations.models import Article, Claim, Highlight, Membership, Role, Workspace
    from annotations.services.workspaces import workspace_create
    from annotations.text import checksum, quote_at

    editor, _ = User.objects.get_or_create(username="reads-editor")
    reviewer, _ = User.objects.get_or_create(username="reads-reviewer")
    workspace = Workspace.objects.filter(name="Reads desk").first()
    if workspace is None:
        workspace = workspace_create(user=editor, name="Reads desk")
    # Straight into the table (and again if an interrupted seed left it out): member_add's
    # throttle counts by user id in a cache that a test run on the same Redis database may have
    # filled for the same id.
    Membership.objects.get_or_create(
        workspace=workspace, user=reviewer, defaults={"role": Role.REVIEWER}
    )
    found = {a.title: a for a in Article.objects.filter(workspace=workspace)}
    for title, count in (("One claim", 1), ("A thousand claims", CLAIMS)):
        if title in found:
            continue
        sentences = [sentence(i) for i in range(count)]
        text = "".join(sentences)
        with transaction.atomic():
            article = Article.objects.create(
                workspace=workspace,
                title=title,
                language="fr",
                text=text,
                checksum=checksum(text),
                extraction_status="done",
                created_by=editor,
            )
            spans, at = [], 0
            for s in sentences:
                spans.append((at, at + len(s) - 1))  # the sentence without its trailing space
                at += len(s)
            claims = Claim.objects.bulk_create(
                Claim(
                    workspace=workspace,
                    article=article,
                    start=start,
                    end=end,
                    created_by=reviewer,
                    exact=(q := quote_at(text, start, end)).exact,
                    prefix=q.prefix,
                    suffix=q.suffix,
                )
                for start, end in spans
            )
            Highlight.objects.bulk_create(
                Highlight(
                    claim=c,
                    article=article,
                    user=reviewer,
                    start=c.start,
                    end=c.end,
                    exact=c.exact,
                    prefix=c.prefix,
                    suffix=c.suffix,
                )
                for c in claims
            )
        found[title] = article
    return {
        "one": found["One claim"],
        "many": found["A thousand claims"],
        "reviewer": reviewer,
    }


def timed(call: Callable[[], Any], runs: int) -> tuple[float, Any]:
    timings, response = [], None
    for _ in range(runs):
        started = time.perf_counter()
        response = call()
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000, response


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    prepare_database()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    data = seed()
    client = APIClient()
    client.force_authenticate(data["reviewer"])
    one, many = data["one"].pk, data["many"].pk
    claim_id = data["many"].claims.order_by("id").values_list("id", flat=True).first()

    def get(path: str, etag: str | None = None) -> Callable[[], Any]:
        headers = {"If-None-Match": etag} if etag else {}
        return lambda: client.get(path, headers=headers)

    # Warm up (imports, the first connection, caches) before anything is timed.
    for path in (f"/api/v1/articles/{one}/", f"/api/v1/articles/{many}/"):
        client.get(path)

    rows = []
    # Alternate the two reads so that a passing load on the machine hits both alike.
    one_ms, many_ms = [], []
    one_body = many_body = b""
    for _ in range(args.runs):
        ms, response = timed(get(f"/api/v1/articles/{one}/"), 1)
        one_ms.append(ms)
        one_body = response.content
        ms, response = timed(get(f"/api/v1/articles/{many}/"), 1)
        many_ms.append(ms)
        many_body = response.content
    one_med, many_med = statistics.median(one_ms), statistics.median(many_ms)
    with CaptureQueriesContext(connection) as q_one:
        first = client.get(f"/api/v1/articles/{one}/")
    with CaptureQueriesContext(connection) as q_many:
        big = client.get(f"/api/v1/articles/{many}/")
    rows.append(("GET /articles/{id}/ (1 claim)", 200, len(q_one), one_med, len(one_body)))
    rows.append(
        (f"GET /articles/{{id}}/ ({CLAIMS:,} claims)", 200, len(q_many), many_med, len(many_body))
    )
    for label, response, path in (
        ("GET /articles/{id}/ (1 claim), If-None-Match", first, f"/api/v1/articles/{one}/"),
        (
            f"GET /articles/{{id}}/ ({CLAIMS:,} claims), If-None-Match",
            big,
            f"/api/v1/articles/{many}/",
        ),
    ):
        tag = response.headers.get("ETag")
        if tag is None:
            continue
        with CaptureQueriesContext(connection) as q:
            ms, answer = timed(get(path, tag), args.runs)
        rows.append((label, answer.status_code, len(q) // args.runs, ms, len(answer.content)))
    with CaptureQueriesContext(connection) as q:
        ms, answer = timed(get(f"/api/v1/claims/{claim_id}/"), args.runs)
    rows.append(
        ("GET /claims/{id}/", answer.status_code, len(q) // args.runs, ms, len(answer.content))
    )
    tag = answer.headers.get("ETag")
    if tag:
        with CaptureQueriesContext(connection) as q:
            ms, answer = timed(get(f"/api/v1/claims/{claim_id}/", tag), args.runs)
        rows.append(
            (
                "GET /claims/{id}/, If-None-Match",
                answer.status_code,
                len(q) // args.runs,
                ms,
                len(answer.content),
            )
        )

    print(f"PostgreSQL, in process (Django test client); median of {args.runs} runs")
    print(f"{'request':<52} {'code':>4} {'queries':>7} {'ms':>8} {'bytes':>9}")
    for label, code, queries, ms, size in rows:
        print(f"{label:<52} {code:>4} {queries:>7} {ms:>8.1f} {size:>9,}")
    print(
        f"cost of {CLAIMS:,} claims against 1: {many_med / one_med:.1f}x (target at most 6); "
        f"bytes per claim: {(len(many_body) - len(one_body)) / (CLAIMS - 1):.0f} (target at most 500)"
    )


if __name__ == "__main__":
    main()
