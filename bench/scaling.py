"""How the main reads grow with a workspace: 1,000, 10,000 and 100,000 claims, on PostgreSQL.

    make bench-scaling        # or: DATABASE_URL=postgres://... .venv/bin/python bench/scaling.py

Builds once, in a database of its own (`<DATABASE_URL db>_scaling`), three workspaces shaped like a
working desk, of 1,000, 10,000 and 100,000 claims: 10 claims per article (two thirds of the
articles French, a third English, made of the project's own news sentences, each naming a town of
its own); 6 reviewers, 1 adjudicator and 1 editor per workspace (people of their own, so a
person's queues and searches cover one workspace); each article assigned to 2 reviewers. The
older articles' claims carry both reviewers' verdicts, a highlight per verdict (one in five
shifted by a few characters) and the history a desk writes (`assessment_created`,
`status_changed`); three in four verdict pairs agree (resolved, then published), the rest are
disputed, most of them adjudicated since. The newest tenth of the articles is still being
worked on (open assignments, claims with no verdict or one), the newest 3 % is not assigned yet.
Rows go in through COPY (annotations.services.bulk.insert_rows), one transaction per workspace;
later runs find the workspaces complete and reuse them (`--reseed` builds them again). Redis:
REDIS_URL, database 13 by default.

Then, for each size, signed in through the session like a browser (django.test.Client,
force_login) as the workspace's editor (a reviewer for the reviewer's queues), it times each read
(`reads`: the article list, first page and a filtered one; the queue overview and five queues;
workspace agreement; the dashboard page; the search page; the CSV and raw exports, streamed)
through the whole Django stack: the median of `--runs` runs
(fewer for the whole-workspace reads at the largest size, `--heavy-runs`) after one untimed
warm-up, with the number of queries each request sends and their time as Django's cursor records
it (a streamed export counts the queries run while its body is read to the end, but not the rows
it fetches from a server-side cursor). By default the largest size is measured a second time with
PostgreSQL's JIT compilation off for the connections (`--jit`): each request opens its own
connection, which reads PGOPTIONS. Prints one table: per read and column, milliseconds, SQL
milliseconds and queries; and the growth from 1,000 to 10,000 claims and from 10,000 to 100,000
(10x means it grows like the workspace; 1x, that it does not grow).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from benchdb import ensure_database, use_own_database

use_own_database("scaling")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")

import django  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
CLAIMS_PER_ARTICLE = 10
REVIEWERS = 6
PANEL = 2  # reviewers per article (the workspace's reviewers_per_claim)
SOURCES = 200
DAYS = 300  # the articles come in evenly over this many days, up to now
WIDTH = 36  # of a read's label in the tables
DATA = Path(__file__).resolve().parent / "data"
SEED = 20261215

SYLLABLES = [
    "bré", "mon", "val", "sau", "lan", "gui", "ver", "cha", "roc", "bel", "mar", "pé", "til",
    "vil", "ste", "fon", "lou", "gar", "nè", "dor", "sil", "ber", "quin", "ton",
]  # fmt: skip
PUBLISHERS = {
    "fr": ["Le Courrier de l'Ouest", "La Dépêche du Midi", "L'Écho des Alpes", "Ouest Éclair"],
    "en": ["Millbrook Herald", "The Riverside Gazette", "County Chronicle", "The Evening Post"],
}
AUTHORS = ["Hélène Dupré", "François Mérieux", "Zoé Lefèvre", "James Whitfield", "Aisha Patel"]
RATIONALES = {
    "fr": "Les chiffres de l'Insee publiés en mars disent l'inverse ; voir la série longue.",
    "en": "The council's own budget papers give a different figure; see page 12.",
}


def workspace_name(size: int) -> str:
    return f"Scaling {size:,} claims"


def people(size: int) -> dict[str, Any]:
    """The usernames of one workspace's people."""
    prefix = f"scale{size}"
    return {
        "editor": f"{prefix}-editor",
        "adjudicator": f"{prefix}-adjudicator",
        "reviewers": [f"{prefix}-reviewer-{i}" for i in range(REVIEWERS)],
    }


def town(i: int) -> str:
    """A made-up town name, one per article (a rare word for search)."""
    name = ""
    while True:
        name += SYLLABLES[i % len(SYLLABLES)]
        i //= len(SYLLABLES)
        if not i:
            return name.capitalize()


def sentences(language: str) -> list[tuple[str, str]]:
    """(speaker, sentence) of bench/data in one language."""
    found = []
    for path in sorted((DATA / language).glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            _number, speaker, text, _label = line.split("\t")
            found.append((speaker, text))
    return found


# --- Seeding ----------------------------------------------------------------------------------------


@dataclass
class ClaimPlan:
    row: dict[str, Any]  # the Claim's columns; article_id and final_verdict_id are filled in later
    verdicts: list[int | None]  # per panel member: a scale position (0..4, 5 unverifiable) or None
    assessed: list[datetime | None]
    final: int | None  # the final verdict's scale position


@dataclass
class ArticlePlan:
    row: dict[str, Any]
    stage: str  # "done" (reviewed), "working" (assigned, under review) or "new" (not assigned)
    panel: list[int]  # indexes of the reviewers it is assigned to
    claims: list[ClaimPlan] = field(default_factory=list)


def plan_workspace(size: int, rng: random.Random, now: datetime) -> list[ArticlePlan]:
    """Articles and claims of one workspace, with when and what each claim's panel said."""
    from annotations.text import checksum, fingerprint, quote_at

    data = {language: sentences(language) for language in ("fr", "en")}
    count = size // CLAIMS_PER_ARTICLE
    first = now - timedelta(days=DAYS)
    plans = []
    for i in range(count):
        language = "fr" if i % 3 else "en"
        pool = data[language]
        place = town(i)
        created = first + timedelta(seconds=DAYS * 86_400 * i / count)
        stage = "done" if i < count * 0.87 else ("working" if i < count * 0.97 else "new")
        claimed = rng.sample(range(len(pool)), CLAIMS_PER_ARTICLE)
        parts: list[str] = [f"À {place}, " if language == "fr" else f"In {place}, "]
        spans: list[tuple[int, int, str]] = []
        at = len(parts[0])
        for k, index in enumerate(claimed):
            filler = pool[rng.randrange(len(pool))][1] + " "
            speaker, sentence = pool[index]
            parts.append(filler)
            at += len(filler)
            spans.append((at, at + len(sentence), speaker))
            parts.append(sentence + ("\n\n" if k % 3 == 2 else " "))
            at += len(parts[-1])
        text = "".join(parts)
        plan = ArticlePlan(
            row={
                "title": f"{place} : " + " ".join(pool[claimed[0]][1].split()[:9]).rstrip(".,"),
                "url": f"https://journal.example/{language}/{i}",
                "publisher": PUBLISHERS[language][i % len(PUBLISHERS[language])],
                "author": AUTHORS[i % len(AUTHORS)],
                "published_at": created - timedelta(hours=3),
                "language": language,
                "text": text,
                "checksum": checksum(text),
                "fingerprint": fingerprint(text),
                "extraction_status": "done",
                "extracted_at": created,
                "created_at": created,
                "updated_at": created,
            },
            stage=stage,
            panel=rng.sample(range(REVIEWERS), PANEL),
        )
        for k, (start, end, speaker) in enumerate(spans):
            quote = quote_at(text, start, end)
            made = created + timedelta(minutes=5 + k)
            verdicts, status, final = claim_verdicts(stage, rng)
            assessed = [
                None if v is None else made + timedelta(hours=rng.randint(2, 48)) for v in verdicts
            ]
            plan.claims.append(
                ClaimPlan(
                    row={
                        "start": start,
                        "end": end,
                        "exact": quote.exact,
                        "prefix": quote.prefix,
                        "suffix": quote.suffix,
                        "claimant": speaker,
                        "status": status,
                        "created_at": made,
                        "updated_at": made,
                    },
                    verdicts=verdicts,
                    assessed=assessed,
                    final=final,
                )
            )
        plans.append(plan)
    return plans


def claim_verdicts(stage: str, rng: random.Random) -> tuple[list[int | None], str, int | None]:
    """The panel's verdicts (scale positions, None: not given yet), the claim's status and its
    final verdict's position. Three in four pairs agree; a disagreement is one or two steps apart
    (or unverifiable against a value); two in three disputes of reviewed articles are settled.
    Under review ("working"), half the claims have no verdict yet and 30 % one."""
    first = 5 if rng.random() < 0.05 else rng.randrange(5)
    draw = rng.random() if stage == "working" else 1.0
    if stage == "new" or draw < 0.8:
        return ([first, None] if 0.5 <= draw < 0.8 else [None, None]), "open", None
    if rng.random() < 0.75:  # they agree
        final: int | None
        status, final = rng.choice(
            (("resolved", first), ("published", first), ("published", first))
        )
        if stage == "working":
            status = "resolved"
        elif rng.random() < 0.04:
            status, final = "assessed", None  # all in, no consensus applied: for an adjudicator
        return [first, first], status, final
    near = (first + rng.choice((-2, -1, 1, 2))) % 5
    second = 5 if first != 5 and rng.random() < 0.1 else near
    if stage == "working" or rng.random() < 0.35:
        return [first, second], "disputed", None
    return [first, second], rng.choice(("resolved", "published")), rng.choice((first, second))


@dataclass
class Review:
    """The rows the review of a workspace's claims leaves: verdicts, highlights, history,
    disputes, adjudications, sources, assignments."""

    labels: list[tuple[int, str]]  # (id, slug) by scale position
    names: dict[int, str]  # reviewers' usernames by id
    editor: int
    adjudicator: int
    source_ids: list[int]
    assessments: list[dict[str, Any]] = field(default_factory=list)
    highlights: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    adjudications: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)

    def assign(self, ws: int, article_id: int, plan: ArticlePlan, panel: list[int]) -> None:
        if plan.stage == "new":
            return
        created = plan.row["created_at"]
        self.assignments.extend(
            {
                "workspace_id": ws,
                "article_id": article_id,
                "user_id": user_id,
                "assigned_by_id": self.editor,
                "due_at": created + timedelta(days=7),
                "completed_at": created + timedelta(days=3) if plan.stage == "done" else None,
                "created_at": created + timedelta(minutes=30),
            }
            for user_id in panel
        )

    def status_event(
        self, claim_id: int, actor: int | None, before: str, after: str, at: Any
    ) -> None:
        self.events.append(
            {
                "claim_id": claim_id,
                "actor_id": actor,
                "kind": "status_changed",
                "before": {"status": before},
                "after": {"status": after, "reason": "adjudication" if actor else "assessments"},
                "created_at": at,
            }
        )

    def verdict(
        self,
        claim_id: int,
        row: dict[str, Any],
        given: tuple[int, int, Any],
        language: str,
        rng: Any,
    ) -> None:
        user_id, verdict, at = given
        """One reviewer's verdict on a claim, their highlight (one in five a few characters off)
        and the history's record of it."""
        label_id, slug = self.labels[verdict]
        self.assessments.append(
            {
                "claim_id": claim_id,
                "reviewer_id": user_id,
                "verdict_id": label_id,
                "initial_verdict_id": label_id,
                "rationale": RATIONALES[language] if rng.random() < 0.3 else "",
                "confidence": rng.choice((0.5, 0.75, 0.9)),
                "created_at": at,
                "updated_at": at,
            }
        )
        self.events.append(
            {
                "claim_id": claim_id,
                "actor_id": user_id,
                "kind": "assessment_created",
                "after": {"reviewer": self.names[user_id], "verdict": slug},
                "created_at": at,
            }
        )
        shift = rng.randrange(1, 6) if rng.random() < 0.2 else 0
        self.highlights.append(
            {
                "claim_id": claim_id,
                "article_id": row["article_id"],
                "user_id": user_id,
                "start": row["start"] + shift,
                "end": row["end"],
                "exact": row["exact"][shift:],
                "prefix": (row["prefix"] + row["exact"][:shift])[-32:],
                "suffix": row["suffix"],
                "created_at": at,
            }
        )

    def claim(
        self, claim_id: int, claim: ClaimPlan, *, panel: list[int], language: str, rng: Any
    ) -> None:
        row = claim.row
        for user_id, verdict, at in zip(panel, claim.verdicts, claim.assessed, strict=True):
            if verdict is not None:
                self.verdict(claim_id, row, (user_id, verdict, at), language, rng)
        status = row["status"]
        if status == "open":
            return
        all_in = max(at for at in claim.assessed if at)
        if len(set(claim.verdicts)) > 1:
            self.dispute(claim_id, claim, panel, all_in, language)
        elif status == "assessed":
            self.status_event(claim_id, None, "open", "assessed", all_in)
        else:
            self.status_event(claim_id, None, "open", "resolved", row["settled_at"])
        if status == "published":
            self.status_event(claim_id, self.editor, "resolved", "published", row["published_at"])
        if status in ("resolved", "published"):
            self.links.append(
                {
                    "claim_id": claim_id,
                    "source_id": self.source_ids[rng.randrange(len(self.source_ids))],
                    "stance": rng.choice(("supports", "refutes", "context")),
                    "quote": "le taux a reculé de 0,3 point" if language == "fr" else "",
                    "added_by_id": panel[0],
                    "created_at": row["settled_at"],
                }
            )

    def dispute(
        self, claim_id: int, claim: ClaimPlan, panel: list[int], at: Any, language: str
    ) -> None:
        """Two different verdicts: a disagreement, settled by the adjudicator unless the claim is
        still disputed."""
        row = claim.row
        settled = row["status"] != "disputed"
        verdicts = {
            self.names[u]: self.labels[v][1]
            for u, v in zip(panel, claim.verdicts, strict=True)
            if v is not None
        }
        self.disagreements.append(
            {
                "claim_id": claim_id,
                "kind": "verdict",
                "details": {"verdicts": verdicts},
                "detected_at": at,
                "resolved_at": row["settled_at"] if settled else None,
                "resolved_by_id": self.adjudicator if settled else None,
            }
        )
        self.status_event(claim_id, None, "open", "disputed", at)
        if settled:
            self.adjudications.append(
                {
                    "claim_id": claim_id,
                    "adjudicator_id": self.adjudicator,
                    "verdict_id": row["final_verdict_id"],
                    "note": "Voir les sources citées." if language == "fr" else "",
                    "created_at": row["settled_at"],
                }
            )
            self.status_event(claim_id, self.adjudicator, "disputed", "resolved", row["settled_at"])


def seed_workspace(size: int) -> tuple[Any, float]:
    """The workspace of `size` claims: found complete, or (re)built now. Returns it and the
    seconds spent building it (0 when found)."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.utils import timezone

    from annotations.models import (
        Adjudication,
        Article,
        Assessment,
        Assignment,
        Claim,
        ClaimEvent,
        ClaimSource,
        Disagreement,
        Highlight,
        Membership,
        Role,
        Source,
        VerdictLabel,
        Workspace,
    )
    from annotations.services.bulk import insert_rows
    from annotations.services.workspaces import workspace_create

    name = workspace_name(size)
    found = Workspace.objects.filter(name=name).first()
    if found is not None and Claim.objects.filter(workspace=found).count() == size:
        return found, 0.0
    started = time.perf_counter()
    rng = random.Random(SEED + size)
    now = timezone.now()
    who = people(size)
    plans = plan_workspace(size, rng, now)
    # One transaction: an interrupted build leaves nothing half-made behind.
    with transaction.atomic():
        if found is not None:
            found.delete()
        users = {
            username: User.objects.get_or_create(username=username)[0]
            for username in [who["editor"], who["adjudicator"], *who["reviewers"]]
        }
        editor = users[who["editor"]].pk
        adjudicator = users[who["adjudicator"]].pk
        reviewers = [users[username].pk for username in who["reviewers"]]
        names = {pk: username for username, pk in zip(who["reviewers"], reviewers, strict=True)}
        workspace = workspace_create(
            user=users[who["editor"]],
            name=name,
            organisation_name="Les Vérificateurs",
            organisation_url="https://verif.example",
        )
        Membership.objects.bulk_create(
            [Membership(workspace=workspace, user_id=pk, role=Role.REVIEWER) for pk in reviewers]
            + [Membership(workspace=workspace, user_id=adjudicator, role=Role.ADJUDICATOR)]
        )
        labels = list(
            VerdictLabel.objects.filter(workspace=workspace)
            .order_by("position")
            .values_list("pk", "slug")
        )  # five valued steps, false to true, then unverifiable
        ws = workspace.pk
        article_ids = insert_rows(
            Article, [{**p.row, "workspace_id": ws, "created_by_id": editor} for p in plans]
        )
        claim_rows = []
        for article_id, plan in zip(article_ids, plans, strict=True):
            for claim in plan.claims:
                settled = published = None
                if claim.final is not None:
                    settled = max(at for at in claim.assessed if at) + timedelta(hours=1)
                    if len(set(claim.verdicts)) > 1:
                        settled += timedelta(days=1)  # an adjudicator settled it the next day
                    if claim.row["status"] == "published":
                        published = settled + timedelta(days=1)
                claim.row.update(
                    workspace_id=ws,
                    article_id=article_id,
                    created_by_id=reviewers[plan.panel[0]],
                    final_verdict_id=None if claim.final is None else labels[claim.final][0],
                    settled_at=settled,
                    published_at=published,
                )
                claim_rows.append(claim.row)
        claim_ids = insert_rows(Claim, claim_rows)
        source_ids = insert_rows(
            Source,
            [
                {
                    "workspace_id": ws,
                    "url": f"https://stats.example.org/series/{i}",
                    "normalised_url": f"stats.example.org/series/{i}",
                    "title": f"Série statistique {i}",
                    "publisher": "Insee" if i % 2 else "Office for National Statistics",
                    "created_by_id": editor,
                    "created_at": now - timedelta(days=DAYS),
                }
                for i in range(SOURCES)
            ],
        )

        review = Review(
            labels=labels,
            names=names,
            editor=editor,
            adjudicator=adjudicator,
            source_ids=source_ids,
        )
        claim_at = iter(claim_ids)
        for article_id, plan in zip(article_ids, plans, strict=True):
            panel = [reviewers[i] for i in plan.panel]
            review.assign(ws, article_id, plan, panel)
            for claim in plan.claims:
                review.claim(
                    next(claim_at), claim, panel=panel, language=plan.row["language"], rng=rng
                )
        for model, rows in (
            (Assessment, review.assessments),
            (Highlight, review.highlights),
            (ClaimEvent, review.events),
            (Disagreement, review.disagreements),
            (Adjudication, review.adjudications),
            (ClaimSource, review.links),
            (Assignment, review.assignments),
        ):
            insert_rows(model, rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return workspace, time.perf_counter() - started


# --- Measuring --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    label: str
    who: str  # "editor" or "reviewer"
    path: str
    params: dict[str, Any]
    heavy: bool = False  # reads the whole workspace: --heavy-runs at the largest size
    stream: bool = False


@dataclass
class Result:
    ms: float  # median time of the request, body read to the end
    sql_ms: float  # median time its queries took as Django's cursor records them
    queries: int
    items: int | None
    size: int


def reads(workspace_id: int, size: int) -> list[Read]:
    ws = {"workspace": workspace_id}
    rare = town(size // CLAIMS_PER_ARTICLE // 2)
    return [
        Read("articles: first page", "editor", "/api/v1/articles/", ws),
        Read(
            "articles: en, title~the, by title",
            "editor",
            "/api/v1/articles/",
            {**ws, "language": "en", "q": "the", "ordering": "title"},
        ),
        Read("queues: counts (editor)", "editor", "/api/v1/queues/", {}),
        Read("queue: disputed (editor)", "editor", "/api/v1/queues/disputed/", ws),
        Read("queue: ready_to_publish (editor)", "editor", "/api/v1/queues/ready_to_publish/", ws),
        Read("queue: unassigned (editor)", "editor", "/api/v1/queues/unassigned/", ws),
        Read("queue: to_annotate (reviewer)", "reviewer", "/api/v1/queues/to_annotate/", ws),
        Read("queue: to_assess (reviewer)", "reviewer", "/api/v1/queues/to_assess/", ws),
        Read(
            "agreement (whole workspace)",
            "editor",
            f"/api/v1/workspaces/{workspace_id}/agreement/",
            {},
            heavy=True,
        ),
        Read("dashboard page", "editor", f"/workspaces/{workspace_id}/dashboard/", {}, heavy=True),
        Read("search: chômage (claims)", "editor", "/search/", {**ws, "q": "chômage"}),
        Read(
            "search: chômage (articles)",
            "editor",
            "/search/",
            {**ws, "q": "chômage", "kind": "articles"},
        ),
        Read(f"search: a town ({rare})", "editor", "/search/", {**ws, "q": rare}),
        Read(
            "export: csv (verified claims)",
            "editor",
            f"/api/v1/workspaces/{workspace_id}/export/",
            {"format": "csv"},
            heavy=True,
            stream=True,
        ),
        Read(
            "export: raw (every article)",
            "editor",
            f"/api/v1/workspaces/{workspace_id}/export/",
            {"format": "raw"},
            heavy=True,
            stream=True,
        ),
    ]


def request(client: Any, read: Read) -> Result:
    """One request, its body read to the end: milliseconds in all and in SQL, queries, items
    listed (the page's `count` where it has one) and bytes."""
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # it keeps at most 9,000: a raw export's would overflow it
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(read.path, read.params)
        if read.stream:
            size = sum(len(chunk) for chunk in response.streaming_content)
            response.close()
        else:
            size = len(response.content)
        elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{read.label}: {response.status_code} {response.content[:300]!r}")
    items = None
    if not read.stream and response["Content-Type"].startswith("application/json"):
        body = json.loads(response.content)
        if isinstance(body, dict):
            if "count" in body:
                items = int(body["count"])
            elif "totals" in body:
                items = sum(body["totals"].values())
            elif "assessments" in body:
                items = int(body["assessments"])
    sql = sum(float(query["time"]) for query in captured.captured_queries)
    return Result(elapsed * 1000, sql * 1000, len(captured), items, size)


def measure(size: int, workspace: Any, runs: int, heavy_runs: int, last: bool) -> dict[str, Result]:
    from django.contrib.auth.models import User
    from django.test import Client

    who = people(size)
    clients = {}
    for role, username in (("editor", who["editor"]), ("reviewer", who["reviewers"][0])):
        clients[role] = Client()
        clients[role].force_login(User.objects.get(username=username))
    results = {}
    for read in reads(workspace.pk, size):
        client = clients[read.who]
        request(client, read)  # warm-up, not counted
        samples = [
            request(client, read) for _ in range(heavy_runs if read.heavy and last else runs)
        ]
        result = results[read.label] = Result(
            statistics.median(sample.ms for sample in samples),
            statistics.median(sample.sql_ms for sample in samples),
            samples[-1].queries,
            samples[-1].items,
            samples[-1].size,
        )
        print(
            f"  {read.label:<{WIDTH}} {result.ms:>9.1f} ms ({result.sql_ms:>7.1f} ms in SQL)"
            f" {result.queries:>4} queries",
            flush=True,
        )
    return results


def describe(sizes: list[int], workspaces: dict[int, Any]) -> None:
    """What each workspace holds, and how big the database is."""
    from django.db import connection
    from django.db.models import Count

    from annotations.models import (
        Article,
        Assessment,
        Assignment,
        Claim,
        ClaimEvent,
        Disagreement,
        Highlight,
    )

    print(
        f"{'workspace':<16}{'articles':>9}{'claims':>9}{'assessm.':>10}{'highlights':>11}"
        f"{'events':>9}{'disputes':>9}{'assignm.':>9}  claims by status"
    )
    for size in sizes:
        ws = workspaces[size].pk
        statuses = dict(
            Claim.objects.filter(workspace_id=ws)
            .order_by()
            .values("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        print(
            f"{size:>7,} claims{Article.objects.filter(workspace_id=ws).count():>11,}"
            f"{sum(statuses.values()):>9,}"
            f"{Assessment.objects.filter(claim__workspace_id=ws).count():>10,}"
            f"{Highlight.objects.filter(article__workspace_id=ws).count():>11,}"
            f"{ClaimEvent.objects.filter(claim__workspace_id=ws).count():>9,}"
            f"{Disagreement.objects.filter(claim__workspace_id=ws).count():>9,}"
            f"{Assignment.objects.filter(workspace_id=ws).count():>9,}  "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items()))
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
            "AND c.relkind = 'r' ORDER BY 2 DESC LIMIT 6"
        )
        largest = cursor.fetchall()
    print(
        f"database {connection.settings_dict['NAME']}: {total / 1e6:,.0f} MB; largest tables "
        "(with indexes): "
        + ", ".join(f"{name[12:]} {size / 1e6:,.0f} MB" for name, size in largest)
    )


def report(
    sizes: list[int], results: dict[str, dict[str, Result]], labels: list[str], jit_off: bool
) -> None:
    """The table: per read and column (a size, then the largest with JIT off if it was run),
    milliseconds, milliseconds in SQL and queries; then the growth between sizes."""
    columns = [f"{size:,} claims" for size in sizes] + (
        [f"{sizes[-1]:,}, jit off"] if jit_off else []
    )
    growth = list(itertools.pairwise(sizes))
    print(
        f"{'':<{WIDTH}}"
        + "".join(f"{column:>23}" for column in columns)
        + "".join(f"{'growth':>9}" for _ in growth)
    )
    print(
        f"{'read':<{WIDTH}}"
        + "".join(f"{'ms':>10}{'SQL ms':>9}{'q':>4}" for _ in columns)
        + "".join(f"{f'x{b // a}':>9}" for a, b in growth)
    )
    for label in labels:
        line = f"{label:<{WIDTH}}"
        for column in columns:
            r = results[column][label]
            line += f"{r.ms:>10.1f}{r.sql_ms:>9.1f}{r.queries:>4}"
        for a, b in growth:
            ratio = results[f"{b:,} claims"][label].ms / results[f"{a:,} claims"][label].ms
            line += f"{ratio:>8.1f}x"
        print(line)
    print("\nwhat each read returned (items listed, or assessments for agreement; bytes)")
    print(f"{'read':<{WIDTH}}" + "".join(f"{f'{size:,} claims':>23}" for size in sizes))
    for label in labels:
        line = f"{label:<{WIDTH}}"
        for size in sizes:
            r = results[f"{size:,} claims"][label]
            shown = "" if r.items is None else f"{r.items:,} / "
            line += f"{shown + _bytes(r.size):>23}"
        print(line)


def _bytes(n: int) -> str:
    if n >= 1e6:
        return f"{n / 1e6:,.1f} MB"
    return f"{n / 1e3:,.1f} kB"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each read")
    parser.add_argument(
        "--heavy-runs",
        type=int,
        default=3,
        help="timed runs of the whole-workspace reads (agreement, dashboard, exports) at the "
        "largest size",
    )
    parser.add_argument("--reseed", action="store_true", help="build the workspaces again")
    parser.add_argument(
        "--jit",
        choices=("both", "server", "off"),
        default="both",
        help="PostgreSQL's JIT compilation: as the server has it (on unless configured "
        "otherwise), off for this run's connections (PGOPTIONS=-c jit=off), or both: every size "
        "as the server has it, then the largest again with it off",
    )
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    server_options = os.environ.get("PGOPTIONS", "")
    jit_off = (server_options + " -c jit=off").strip()
    if args.jit == "off":
        os.environ["PGOPTIONS"] = jit_off

    ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from annotations.models import Workspace

    call_command("migrate", verbosity=0)
    if args.reseed:
        Workspace.objects.filter(name__in=[workspace_name(size) for size in sizes]).delete()
    workspaces = {}
    for size in sizes:
        workspaces[size], seconds = seed_workspace(size)
        if seconds:
            print(f"built the workspace of {size:,} claims in {seconds:.1f} s", flush=True)
    describe(sizes, workspaces)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version(), current_setting('jit'), current_setting('shared_buffers')"
        )
        version, jit, buffers = cursor.fetchone()
    print(f"{version.split(' on ')[0]}; jit {jit}; shared_buffers {buffers}")
    loads = [os.getloadavg()[0]]
    started = time.perf_counter()
    runs = [(size, f"{size:,} claims") for size in sizes]
    if args.jit == "both":
        runs.append((sizes[-1], f"{sizes[-1]:,}, jit off"))
    results = {}
    for size, column in runs:
        if column.endswith("jit off"):
            # Each request opens its own connection (CONN_MAX_AGE 0), which reads PGOPTIONS.
            os.environ["PGOPTIONS"] = jit_off
            connection.close()
        print(f"{column}:", flush=True)
        results[column] = measure(
            size, workspaces[size], args.runs, args.heavy_runs, size == sizes[-1]
        )
        loads.append(os.getloadavg()[0])
    print(
        f"\nmeasured in {time.perf_counter() - started:.0f} s; load average (1 min) on "
        f"{os.cpu_count()} cores: "
        + ", ".join(f"{load:.1f}" for load in loads)
        + " (before, then after each column)"
    )
    print(
        f"median of {args.runs} runs ({args.heavy_runs} for agreement, dashboard and exports at "
        f"{sizes[-1]:,} claims) after one warm-up, through the whole Django stack; SQL ms: the "
        "queries' time as Django's cursor records it (not the rows a streamed export fetches "
        "from its server-side cursor)\n"
    )
    labels = [read.label for read in reads(workspaces[sizes[0]].pk, sizes[0])]
    # The town searched differs per size (one of the workspace's own): one label for all.
    for found in results.values():
        for label in list(found):
            if label.startswith("search: a town"):
                found["search: a town"] = found.pop(label)
    labels = ["search: a town" if label.startswith("search: a town") else label for label in labels]
    report(sizes, results, labels, args.jit == "both")


if __name__ == "__main__":
    main()
