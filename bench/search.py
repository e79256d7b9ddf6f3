"""The search page at scale, with the indexes of migration 0008 and without them.

    make bench-search         # or: DATABASE_URL=postgres://... .venv/bin/python bench/search.py

Builds (once, in a database of its own, `<DATABASE_URL db>_search`) a workspace of 10,000 articles
of about 3,000 characters, two thirds French and a third English, and 3 claims per article. The
text is generated from the project's own news sentences (bench/data: a word chain trained on them,
so the words, accents, figures and their frequencies read like news), each article naming a town
of its own (a rare word) and quoting three real sentences of the set as its claims, with their
speaker or a made-up person as claimant; claims have every status.

Then asks the search page (`GET /search/`, the whole Django stack through the test client) as a
signed-in reviewer, for six kinds of search with several examples each: one word, two words, a
"phrase", a French word typed without accents, a misspelt claimant and a status filter; each on
the default tab (claims, with both counts) and on the articles tab. Every request runs as it is
deployed (`indexed=True`) and, for comparison, with the same conditions computed row by row as
before the indexes (`indexed=False`); both must give the same counts and the same page. Prints the
median and 95th percentile per kind of search, the queries per request, and how long building the
column and indexes (migration 0008) takes on these rows.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import math
import os
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchdb import ensure_database, use_own_database

use_own_database("search")

import django  # noqa: E402

ARTICLES = 10_000
CLAIMS_PER_ARTICLE = 3
TEXT_LENGTH = 3_000
DATA = Path(__file__).resolve().parent / "data"
WORKSPACE = "Search bench"
SEED = 20261201

FIRST_NAMES = [
    "Hélène", "François", "Zoé", "Jérôme", "Agnès", "Cédric", "Loïc", "Maëlle", "Noémie",
    "Raphaël", "Amélie", "Benoît", "Céline", "Étienne", "Gaëlle", "Joël", "Léa", "Mathéo",
    "Anaïs", "Thérèse", "Sarah", "James", "Maria", "Thomas", "Ruth", "Daniel", "Grace",
    "Peter", "Aisha", "Kevin",
]  # fmt: skip
LAST_NAMES = [
    "Lefèvre", "Béranger", "Dupré", "Mérieux", "Chevènement", "Giraud", "Lemaître", "Pérez",
    "Rousseau", "Thébault", "Vérignon", "Brûlé", "Cléry", "Duval", "Fabre", "Gauthier",
    "Hébert", "Jouvet", "Leclerc", "Ménard", "Okafor", "Whitfield", "Harrington", "Nguyen",
    "Kowalski", "Patel", "O'Brien", "Sørensen",
]  # fmt: skip
PUBLISHERS = {
    "fr": [
        "Le Courrier de l'Ouest", "La Dépêche du Midi", "Le Républicain lorrain",
        "L'Écho des Alpes", "Le Progrès social", "Ouest Éclair", "Le Journal du Centre",
        "Midi Libéré", "La Voix de l'Estuaire", "Le Télégramme du Nord",
    ],
    "en": [
        "Millbrook Herald", "The Riverside Gazette", "County Chronicle", "The Daily Ledger",
        "Northern Star", "The Evening Post", "Lakeside Times",
    ],
}  # fmt: skip
SYLLABLES = [
    "bré", "mon", "val", "sau", "lan", "gui", "ver", "cha", "roc", "bel", "mar", "pé", "til",
    "vil", "ste", "fon", "lou", "gar", "nè", "dor", "sil", "ber", "quin", "ton",
]  # fmt: skip
STATUSES = ["open"] * 4 + ["assessed"] * 2 + ["disputed"] + ["resolved"] * 2 + ["published"]

# (kind of search, query string, status filter), several of each.
QUERIES: list[tuple[str, str, str]] = [
    ("one word", "chômage", ""),
    ("one word", "hospital", ""),
    ("one word", "logement", ""),
    ("one word", "{town}", ""),
    ("two words", "taux chômage", ""),
    ("two words", "budget council", ""),
    ("two words", "retraites réforme", ""),
    ("two words", "énergie électricité", ""),
    ("phrase", '"taux de chômage"', ""),
    ("phrase", '"city council"', ""),
    ("phrase", '"selon les chiffres"', ""),
    ("phrase", '"a déclaré la ministre"', ""),
    ("French, no accents", "chomage", ""),
    ("French, no accents", "securite", ""),
    ("French, no accents", "deserts medicaux", ""),
    ("French, no accents", "electricite", ""),
    ("misspelt claimant", "Helene Rousel", ""),
    ("misspelt claimant", "Julien Perin", ""),
    ("misspelt claimant", "Dana Whitfeld", ""),
    ("misspelt claimant", "Francois Lefevbre", ""),
    ("status filter", "chômage", "disputed"),
    ("status filter", "budget", "resolved"),
    ("status filter", "hospital", "published"),
    ("status filter", "", "disputed"),
]


# --- Text -----------------------------------------------------------------------------------------


def sentences(language: str) -> list[tuple[str, str]]:
    """(speaker, sentence) of bench/data in one language."""
    found = []
    for path in sorted((DATA / language).glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            _number, speaker, text, _label = line.split("\t")
            found.append((speaker, text))
    return found


class Chain:
    """A word chain (bigrams) trained on real sentences: text with their words and frequencies."""

    def __init__(self, texts: list[str], rng: random.Random) -> None:
        self.rng = rng
        self.next: dict[str, list[str]] = defaultdict(list)
        for text in texts:
            words = ["", *text.split(), ""]
            for before, after in itertools.pairwise(words):
                self.next[before].append(after)

    def sentence(self, most: int = 40) -> str:
        words: list[str] = []
        word = self.rng.choice(self.next[""])
        while word and len(words) < most:
            words.append(word)
            word = self.rng.choice(self.next[word])
        text = " ".join(words)
        return text if text.endswith((".", "?", "!", "»", '"')) else text + "."


def town(rng: random.Random) -> str:
    name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return name.capitalize()


# --- Seeding ----------------------------------------------------------------------------------------


def seed(articles: int) -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.db import transaction

    from annotations.models import Article, Claim, Role, VerdictLabel, Workspace
    from annotations.services.workspaces import member_add, workspace_create
    from annotations.text import checksum, fingerprint, quote_at

    editor, _ = User.objects.get_or_create(username="search-editor")
    reader, _ = User.objects.get_or_create(username="search-reviewer")
    workspace = Workspace.objects.filter(name=WORKSPACE).first()
    if workspace is None:
        workspace = workspace_create(user=editor, name=WORKSPACE)
        member_add(actor=editor, workspace=workspace, username=reader.username, role=Role.REVIEWER)
    rng = random.Random(SEED)
    towns = sorted({town(rng) for _ in range(3_000)})
    have = Article.objects.filter(workspace=workspace).count()
    if have >= articles:
        return {"workspace": workspace, "reader": reader, "towns": towns}
    verdict = VerdictLabel.objects.get(workspace=workspace, slug="mostly-false")
    data = {language: sentences(language) for language in ("fr", "en")}
    chains = {
        language: Chain([text for _speaker, text in found], rng) for language, found in data.items()
    }
    people = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    started = time.perf_counter()
    for first in range(have, articles, 1_000):
        batch: list[Article] = []
        quoted: list[list[tuple[str, str]]] = []
        for i in range(first, min(first + 1_000, articles)):
            language = "fr" if i % 3 else "en"
            if i % 50 == 7:
                language += "-CA" if language == "fr" else "-GB"
            base = language[:2]
            chain = chains[base]
            claims = rng.sample(data[base], CLAIMS_PER_ARTICLE)
            place = towns[i % len(towns)]
            parts = [chain.sentence()]
            parts.append(f"{'À' if base == 'fr' else 'In'} {place}, {chain.sentence()}")
            while sum(map(len, parts)) < TEXT_LENGTH:
                parts.append(
                    claims[len(parts) % len(claims)][1]
                    if len(parts) in (3, 7, 11)
                    else chain.sentence()
                )
            text = "\n".join(" ".join(parts[at : at + 4]) for at in range(0, len(parts), 4))
            batch.append(
                Article(
                    workspace=workspace,
                    title=" ".join(chain.sentence(12).split()[:12]).rstrip("."),
                    publisher=rng.choice(PUBLISHERS[base]),
                    author=rng.choice(people),
                    language=language,
                    text=text,
                    checksum=checksum(text),
                    fingerprint=fingerprint(text),
                    extraction_status="done",
                    created_by=editor,
                )
            )
            quoted.append(claims)
        with transaction.atomic():
            saved = Article.objects.bulk_create(batch)
            rows: list[Claim] = []
            for article, claims in zip(saved, quoted, strict=True):
                for speaker, sentence in claims:
                    start = article.text.index(sentence)
                    quote = quote_at(article.text, start, start + len(sentence))
                    status = rng.choice(STATUSES)
                    rows.append(
                        Claim(
                            workspace=workspace,
                            article=article,
                            start=start,
                            end=start + len(sentence),
                            exact=quote.exact,
                            prefix=quote.prefix,
                            suffix=quote.suffix,
                            claimant=speaker or rng.choice(people),
                            normalised_text=chains[article.language[:2]].sentence(25)
                            if rng.random() < 0.3
                            else "",
                            status=status,
                            final_verdict=verdict if status in ("resolved", "published") else None,
                            created_by=reader,
                        )
                    )
            Claim.objects.bulk_create(rows)
        print(f"  {first + len(batch):,} articles ({time.perf_counter() - started:.0f} s)")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE annotations_article")
        cursor.execute("VACUUM ANALYZE annotations_claim")
    return {"workspace": workspace, "reader": reader, "towns": towns}


# --- Measuring --------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def request(client: Any, params: dict[str, str]) -> tuple[float, int, tuple[Any, ...]]:
    """One page: seconds, queries, and what it showed (counts and rows), to compare."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get("/search/", params)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    counts = tuple(re.findall(r'data-count="(\w+)">(\d+)<', page))
    rows = tuple(re.findall(r'<tr data-item="(\d+)"', page))
    return elapsed, len(captured), (counts, rows)


@functools.cache
def _originals() -> tuple[Callable[..., Any], Callable[..., Any]]:
    from annotations import search

    return search.article_results, search.claim_results


def indexes(on: bool) -> None:
    """Have the page search with the indexes (as deployed) or without them (as before)."""
    from annotations import search

    articles, claims = _originals()
    search.article_results = functools.partial(articles, indexed=on)
    search.claim_results = functools.partial(claims, indexed=on)


def time_migration() -> tuple[float, float]:
    """Seconds to drop and to build again what migration 0008 adds, on the rows seeded."""
    import importlib

    from django.db import connection

    migration = importlib.import_module("annotations.migrations.0008_search_index")
    with connection.schema_editor() as editor:
        started = time.perf_counter()
        migration.drop(None, editor)
        dropped = time.perf_counter() - started
    with connection.schema_editor() as editor:
        started = time.perf_counter()
        migration.create(None, editor)
        built = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE annotations_article")
        cursor.execute("ANALYZE annotations_claim")
    return dropped, built


@dataclass
class Timings:
    """What the requests took and showed, by (kind of search, tab, indexed)."""

    seconds: dict[tuple[str, str, bool], list[float]] = field(
        default_factory=lambda: defaultdict(list)
    )
    queries: dict[tuple[str, str, bool], set[int]] = field(default_factory=lambda: defaultdict(set))
    # Articles/claims found by each example of a kind (the default tab's counts).
    found: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    shown: dict[tuple[tuple[str, str], ...], tuple[Any, ...]] = field(default_factory=dict)


def examples(town: str) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(kind of search, tab, query string) of every request measured."""
    for kind, text, status in QUERIES:
        for tab in ("", "articles"):
            if tab and status:
                continue  # the status filter is for claims
            params = {"q": text.format(town=town), "status": status, "kind": tab}
            yield kind, tab or "default", {k: v for k, v in params.items() if v}


def measure(client: Any, town: str, *, on: bool, runs: int, timings: Timings) -> None:
    indexes(on)
    warm = True
    for kind, tab, params in examples(town):
        if warm:
            # The first request of a kind is slower; without the indexes every request reads
            # every text anyway, so once is enough.
            request(client, params)
            warm = on
        for _ in range(runs):
            elapsed, count, what = request(client, params)
            timings.seconds[kind, tab, on].append(elapsed)
            timings.queries[kind, tab, on].add(count)
        key = tuple(sorted(params.items()))
        if key in timings.shown and timings.shown[key] != what:
            raise SystemExit(f"different results with and without the indexes: {params}")
        timings.shown[key] = what
        if on and tab == "default":
            counts = {name: int(count) for name, count in what[0]}
            shown = params.get("q", "(no words)") + (
                f" [{params['status']}]" if "status" in params else ""
            )
            timings.found[kind].append(f"{shown} {counts['articles']:,}/{counts['claims']:,}")
    indexes(True)


def report(timings: Timings) -> None:
    print("found (articles/claims):")
    for kind, found in timings.found.items():
        print(f"  {kind + ':':<20} {'; '.join(found)}")
    header = f"{'search':<20} {'tab':<9} {'queries':>7}"
    print(f"{header} {'before: median':>16} {'p95':>8} {'after: median':>15} {'p95':>9}")
    for kind in timings.found:
        for tab in ("default", "articles"):
            after = timings.seconds.get((kind, tab, True))
            if not after:
                continue
            before = timings.seconds.get((kind, tab, False))
            made = sorted(timings.queries[kind, tab, True])
            line = f"{kind:<20} {tab:<9} {'-'.join(map(str, sorted({made[0], made[-1]}))):>7}"
            if before:
                line += f" {statistics.median(before):>14.2f} s {percentile(before, 0.95):>6.2f} s"
            else:
                line += f" {'':>16} {'':>8}"
            median, p95 = statistics.median(after) * 1000, percentile(after, 0.95) * 1000
            print(f"{line} {median:>12.1f} ms {p95:>6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=ARTICLES)
    parser.add_argument("--runs", type=int, default=10, help="runs of each example, indexed")
    parser.add_argument(
        "--before-runs", type=int, default=1, help="runs of each example without the indexes"
    )
    parser.add_argument("--no-migration", action="store_true", help="skip timing migration 0008")
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command
    from django.db.models import Avg
    from django.db.models.functions import Length
    from django.test import Client

    from annotations.models import Article, Claim

    call_command("migrate", verbosity=0)
    data = seed(args.articles)
    articles = Article.objects.filter(workspace=data["workspace"])
    total = articles.count()
    french = articles.filter(language__startswith="fr").count()
    length = articles.aggregate(n=Avg(Length("text")))["n"]
    claims = Claim.objects.filter(workspace=data["workspace"]).count()
    print(
        f"PostgreSQL, one workspace of {total:,} articles ({french:,} French, "
        f"{total - french:,} English; {length:,.0f} characters on average) and {claims:,} claims"
    )
    if not args.no_migration:
        dropped, built = time_migration()
        print(
            f"migration 0008 on these rows: {built:.1f} s to build (column and 8 indexes), "
            f"{dropped:.1f} s to drop"
        )
    client = Client()
    client.force_login(data["reader"])
    town = data["towns"][len(data["towns"]) // 2]
    timings = Timings()
    loads = [os.getloadavg()[0]]
    measure(client, town, on=True, runs=args.runs, timings=timings)
    loads.append(os.getloadavg()[0])
    if args.before_runs > 0:
        measure(client, town, on=False, runs=args.before_runs, timings=timings)
        loads.append(os.getloadavg()[0])
        print("the same counts and rows with and without the indexes: yes")
    print(
        f"load average (1 min) on {os.cpu_count()} cores: "
        + ", ".join(f"{load:.1f}" for load in loads)
        + " (start, after the indexed runs, after the others)"
    )
    print(
        f"GET /search/ as a reviewer, {len(QUERIES) // 6} examples of each kind; with the indexes "
        f"{args.runs} runs of each, without them {args.before_runs}"
    )
    report(timings)


if __name__ == "__main__":
    main()
