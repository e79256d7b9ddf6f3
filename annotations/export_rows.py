"""The query side of the exports: claims and assessments read from the database as the plain rows
the writers take (annotations.exports.rows), one at a time, with flat memory.

A claim export runs three queries, each sorted by claim id and read through a server-side cursor
on PostgreSQL (``iterator(chunk_size=...)``; chunked reads of one cursor on SQLite): the claims
joined with their article and final verdict, the sources linked to those claims, and their
adjudications. ``claim_rows`` walks the three in step, like a merge join, so each claim gets its
sources and its latest adjudication without a query of its own and without any list of the whole
dataset: at most a chunk of each query is in memory.

Nothing here checks access: callers (annotations.services.exports, the admin, the command)
decide who may export what. Run the reads inside ``read_snapshot()`` so the three queries see
the same data.
"""

from __future__ import annotations

import itertools
import math
import queue
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any, Final, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Func, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, NullIf

from annotations.exports.claimreview import claim_review_document
from annotations.exports.rows import (
    AssessmentRow,
    ClaimRow,
    ExportContext,
    HighlightRow,
    RawAdjudication,
    RawArticle,
    RawAssessment,
    RawClaim,
    RawHighlight,
    RawSource,
    ScaleLabel,
    SourceRow,
)
from annotations.models import (
    Adjudication,
    Article,
    Assessment,
    Claim,
    ClaimSource,
    Highlight,
    VerdictLabel,
    Workspace,
)

# What "verified" means for the claim formats when no status is asked for.
VERIFIED_STATUSES: Final = (Claim.Status.RESOLVED.value, Claim.Status.PUBLISHED.value)
# Agreement research needs every assessment, disputed and unresolved claims included.
ALL_STATUSES: Final = tuple(Claim.Status.values)

# Rows fetched per round trip of each server-side cursor: large enough that the round trips cost
# little, small enough that three cursors' worth stays a few megabytes.
CHUNK_SIZE: Final = 5000


@dataclass(frozen=True, slots=True)
class ExportFilters:
    """Which claims an export holds. Every field is already checked (services.exports)."""

    statuses: tuple[str, ...] = VERIFIED_STATUSES
    languages: tuple[str, ...] = ()  # the article's language; empty: any
    verdicts: tuple[str, ...] = ()  # the final verdict's slug; empty: any
    date_from: date | None = None  # inclusive, on the date `dates` names
    date_to: date | None = None  # inclusive
    articles: tuple[int, ...] = ()  # empty: any
    # Which date `from` and `to` bound: the claim's creation, or when its verdict was settled.
    dates: str = "created"

    def as_json(self) -> dict[str, Any]:
        """The filters as stored on export jobs and releases and shown in manifests."""
        return {
            "status": list(self.statuses),
            "language": list(self.languages),
            "verdict": list(self.verdicts),
            "article": list(self.articles),
            "dates": self.dates,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExportFilters:
        """Filters stored by as_json (checked when they were stored)."""
        return cls(
            statuses=tuple(data.get("status") or VERIFIED_STATUSES),
            languages=tuple(data.get("language") or ()),
            verdicts=tuple(data.get("verdict") or ()),
            date_from=date.fromisoformat(data["from"]) if data.get("from") else None,
            date_to=date.fromisoformat(data["to"]) if data.get("to") else None,
            articles=tuple(int(a) for a in data.get("article") or ()),
            dates=str(data.get("dates") or "created"),
        )


def selected_claims(*, workspace_id: int, filters: ExportFilters) -> QuerySet[Claim]:
    claims = Claim.objects.filter(workspace_id=workspace_id, status__in=filters.statuses)
    if filters.languages:
        claims = claims.filter(article__language__in=filters.languages)
    if filters.verdicts:
        claims = claims.filter(final_verdict__slug__in=filters.verdicts)
    if filters.articles:
        claims = claims.filter(article_id__in=filters.articles)
    # `__date` is the date in the site's time zone (TIME_ZONE), on PostgreSQL and SQLite alike.
    moment = "settled_at" if filters.dates == "verdict" else "created_at"
    if filters.date_from is not None:
        claims = claims.filter(**{f"{moment}__date__gte": filters.date_from})
    if filters.date_to is not None:
        claims = claims.filter(**{f"{moment}__date__lte": filters.date_to})
    return claims


# The claim query's columns, in ClaimRow's order up to verdict_value, then when its final verdict
# was set (the review time of a claim resolved without an adjudication), then the desk's own
# article about it (ClaimRow's last fields).
CLAIM_COLUMNS: Final = (
    "id",
    "exact",
    "normalised_text",
    "claimant",
    "article__language",
    "status",
    "start",
    "end",
    "prefix",
    "suffix",
    "article_id",
    "article__url",
    "article__title",
    "article__publisher",
    "article__published_at",
    "final_verdict__slug",
    "final_verdict__name",
    "final_verdict__value",
    "settled_at",
    "review_url",
    "review_published_at",
    "review_modified_at",
    "article__revision",
    "article__checksum",
)
SOURCE_COLUMNS: Final = (
    "claim_id",
    "source_id",
    "source__url",
    "source__title",
    "source__publisher",
    "stance",
    "quote",
    "id",
)
ADJUDICATION_COLUMNS: Final = ("claim_id", "note", "created_at", "adjudicator__username")
HIGHLIGHT_COLUMNS: Final = (
    "claim_id",
    "id",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "user__username",
    "created_at",
)

# Characters of the Basic Multilingual Plane (NUL aside, which PostgreSQL text never holds):
# what is left once they are removed is the astral characters, two UTF-16 code units each.
_BMP_CLASS: Final = "[\\u0001-\\uffff]"


class AstralCount(Func):
    """How many astral characters (two UTF-16 code units each) the first `n` characters of a text
    hold: on PostgreSQL counted by the database; elsewhere the prefix itself, counted in Python
    (``astral_count``)."""

    # A number on PostgreSQL, the prefix itself elsewhere (see astral_count): typed as text, so
    # that no database's value is put through int() (an integer field's converter would, and a
    # prefix read on SQLite is no number). PostgreSQL's integer comes through as it is.
    output_field = TextField()

    # substr(text, 1, n): the first n characters, on every database.
    template = "substr(%(expressions)s)"

    def __init__(self, text: str, n: str) -> None:
        super().__init__(F(text), Value(1), F(n))

    def as_postgresql(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        template = f"char_length(regexp_replace(substr(%(expressions)s), '{_BMP_CLASS}', '', 'g'))"
        sql, params = super().as_sql(compiler, connection, template=template, **extra_context)
        return sql, list(params)


def astral_count(value: int | str | None) -> int | None:
    """An AstralCount column's value as a number (counting a prefix read on SQLite)."""
    if value is None or isinstance(value, int):
        return value
    return sum(1 for char in value if ord(char) > 0xFFFF)


def _utf16(start: int | None, end: int | None, before: Any, exact: str) -> tuple[Any, Any]:
    """The span in UTF-16 code units: each astral character before it or inside counts twice."""
    shift = astral_count(before)
    if start is None or end is None or shift is None:
        return None, None
    return start + shift, end + shift + (astral_count(exact) or 0)


def claim_queries(
    claims: QuerySet[Claim], *, texts: bool = False, highlights: bool = False, utf16: bool = False
) -> tuple[QuerySet[Any], ...]:
    """The queries behind claim_rows, each ordered by claim id (the benchmark COPYs them)."""
    ids = claims.values("pk")
    columns: list[Any] = [*CLAIM_COLUMNS]
    extra: dict[str, Any] = {}
    if texts:
        columns.append("article__text")
    if utf16:
        extra["astral_before"] = AstralCount("article__text", "start")
        columns.append("astral_before")
    queries: list[QuerySet[Any]] = [
        claims.annotate(**extra).order_by("id").values_list(*columns),
        ClaimSource.objects.filter(claim_id__in=ids)
        .order_by("claim_id", "id")
        .values_list(*SOURCE_COLUMNS),
        Adjudication.objects.filter(claim_id__in=ids)
        .order_by("claim_id", "-created_at", "-id")
        .values_list(*ADJUDICATION_COLUMNS),
    ]
    if highlights:
        spans = Highlight.objects.filter(claim_id__in=ids)
        highlight_columns = [*HIGHLIGHT_COLUMNS]
        if utf16:
            spans = spans.annotate(astral_before=AstralCount("article__text", "start"))
            highlight_columns.append("astral_before")
        queries.append(spans.order_by("claim_id", "id").values_list(*highlight_columns))
    return tuple(queries)


def claim_rows(
    claims: QuerySet[Claim],
    *,
    chunk_size: int = CHUNK_SIZE,
    texts: bool = False,
    highlights: bool = False,
    utf16: bool = False,
) -> Generator[ClaimRow, None, None]:
    """The claims as ClaimRows, in claim id order, each with its sources and latest adjudication.

    A source that several reviewers linked with the same stance is listed once (the first link's
    quote); linked with different stances, once per stance. ``reviewed_at``, ``adjudicator`` and
    ``verdict_note`` come from the newest adjudication; a claim with a final verdict but no
    adjudication (resolved by agreement) has no adjudicator and its last change as review time.
    ``texts`` adds the article's text to each row; ``highlights`` every reviewer's own span (a
    fourth query, merged like the others); ``utf16`` the spans in UTF-16 code units too.
    """
    queries = claim_queries(claims, texts=texts, highlights=highlights, utf16=utf16)
    chunks = [stream_chunks(query, chunk_size=chunk_size) for query in queries]
    # chain() walks each chunk in C; this loop is the export's own cost per claim, so it also
    # builds the tuples with tuple.__new__ (what NamedTuple._make does, minus a Python call) and
    # ends each stream on a row whose id is larger than any claim's, instead of testing for None.
    claim_iter, source_iter, adjudication_iter = (chain.from_iterable(c) for c in chunks[:3])
    highlight_iter = chain.from_iterable(chunks[3]) if highlights else iter(())
    new = tuple.__new__
    width = len(CLAIM_COLUMNS)
    plain = not (texts or highlights or utf16)
    try:
        source = next(source_iter, _END)
        adjudication = next(adjudication_iter, _END)
        highlight = next(highlight_iter, _END)
        for values in claim_iter:
            claim_id = values[0]
            linked: tuple[SourceRow, ...] = ()
            if source[0] <= claim_id:
                links = []
                # `<` as well as `==`: outside a snapshot a source may belong to a claim that
                # changed status between the queries; it is skipped, never given to another.
                while source[0] <= claim_id:
                    if source[0] == claim_id:
                        links.append(source)
                    source = next(source_iter, _END)
                linked = _source_rows(links)
            note, reviewed_at, adjudicator = "", None, ""
            if adjudication[0] <= claim_id:
                while adjudication[0] < claim_id:
                    adjudication = next(adjudication_iter, _END)
                if adjudication[0] == claim_id:
                    _, note, reviewed_at, adjudicator = adjudication
                    # The newest comes first; the older ones are history.
                    while adjudication[0] == claim_id:
                        adjudication = next(adjudication_iter, _END)
            if reviewed_at is None and values[15] is not None:
                reviewed_at = values[18]
            if plain:
                yield new(
                    ClaimRow,
                    (
                        *values[:18],
                        note,
                        reviewed_at,
                        adjudicator,
                        linked,
                        *values[19:],
                        "",
                        (),
                        None,
                        None,
                    ),
                )
                continue
            spans, highlight = (
                _highlights_of(claim_id, highlight, highlight_iter, utf16=utf16)
                if highlight[0] <= claim_id
                else ((), highlight)
            )
            text = values[width] if texts else ""
            start_utf16, end_utf16 = (
                _utf16(values[6], values[7], values[-1], values[1]) if utf16 else (None, None)
            )
            yield new(
                ClaimRow,
                (
                    *values[:18],
                    note,
                    reviewed_at,
                    adjudicator,
                    linked,
                    *values[19:width],
                    text,
                    spans,
                    start_utf16,
                    end_utf16,
                ),
            )
    finally:
        # Closing the chunk generators closes their server-side cursors at once.
        for generator in chunks:
            generator.close()


# What a finished stream gives: an id past every claim's.
_END: Final[tuple[Any, ...]] = (math.inf, "", None, "")


def _highlights_of(
    claim_id: int, highlight: tuple[Any, ...], rest: Iterator[tuple[Any, ...]], *, utf16: bool
) -> tuple[tuple[HighlightRow, ...], tuple[Any, ...]]:
    """The claim's highlights from the merged stream, and the stream's next row after them."""
    drawn = []
    while highlight[0] <= claim_id:
        if highlight[0] == claim_id:
            drawn.append(_highlight_row(highlight, utf16=utf16))
        highlight = next(rest, _END)
    return tuple(drawn), highlight


def _highlight_row(values: tuple[Any, ...], *, utf16: bool) -> HighlightRow:
    _, highlight_id, start, end, exact, prefix, suffix, creator, created_at = values[:9]
    start_utf16, end_utf16 = _utf16(start, end, values[9], exact) if utf16 else (None, None)
    return HighlightRow(
        highlight_id, start, end, exact, prefix, suffix, creator, created_at, start_utf16, end_utf16
    )


def _source_rows(links: list[tuple[Any, ...]]) -> tuple[SourceRow, ...]:
    if len(links) == 1:
        return (tuple.__new__(SourceRow, links[0][1:]),)
    seen: set[tuple[int, str]] = set()
    rows = []
    for link in links:
        key = (link[1], link[5])
        if key not in seen:
            seen.add(key)
            rows.append(SourceRow._make(link[1:]))
    return tuple(rows)


ASSESSMENT_COLUMNS: Final = (
    "id",
    "claim_id",
    "claim__exact",
    "claim__status",
    "claim__article_id",
    "claim__article__url",
    "claim__article__language",
    "reviewer__username",
    "verdict__slug",
    "verdict__name",
    "verdict__value",
    "confidence",
    "rationale",
    "created_at",
    "updated_at",
    "initial_verdict__slug",
    "claim__article__revision",
    "claim__article__checksum",
)


def assessment_query(claims: QuerySet[Claim], *, texts: bool = False) -> QuerySet[Any]:
    assessments = Assessment.objects.filter(claim_id__in=claims.values("pk"))
    if texts:
        text = "claim__article__text"
    else:
        assessments = assessments.annotate(no_text=Value("", output_field=TextField()))
        text = "no_text"
    return assessments.order_by("claim_id", "id").values_list(*ASSESSMENT_COLUMNS, text)


def assessment_rows(
    claims: QuerySet[Claim], *, chunk_size: int = CHUNK_SIZE, texts: bool = False
) -> Generator[AssessmentRow, None, None]:
    """Every assessment of the claims, one row each, in claim then assessment order."""
    chunks = stream_chunks(assessment_query(claims, texts=texts), chunk_size=chunk_size)
    new = tuple.__new__
    try:
        for values in chain.from_iterable(chunks):
            yield new(AssessmentRow, values)
    finally:
        chunks.close()


# --- The raw export: one article at a time, with everything on it ---------------------------------

# Articles read per batch: each batch costs six queries (the articles, then their claims,
# highlights, assessments, sources and adjudications), whatever it holds; texts make the articles
# the largest part, so a batch stays a few megabytes.
ARTICLE_BATCH: Final = 100

ARTICLE_COLUMNS: Final = (
    "id",
    "url",
    "title",
    "publisher",
    "author",
    "language",
    "published_at",
    "text",
    "revision",
    "checksum",
)
RAW_CLAIM_COLUMNS: Final = (
    "article_id",
    "id",
    "start",
    "end",
    "exact",
    "claimant",
    "normalised_text",
    "status",
    "final_verdict__slug",
    "created_by__username",
    "tag",
)


def narrows_claims(filters: ExportFilters) -> bool:
    """Whether the filters pick claims rather than articles: a status short of every status, a
    verdict or a period. The raw export then leaves out the articles none of whose claims is
    picked; otherwise it writes every article the language and article filters keep, those
    without claims included."""
    return bool(
        set(filters.statuses) != set(ALL_STATUSES)
        or filters.verdicts
        or filters.date_from
        or filters.date_to
    )


def selected_articles(*, workspace_id: int, filters: ExportFilters) -> QuerySet[Article]:
    """The articles a raw export (and a release's manifest) holds: see narrows_claims."""
    articles = Article.objects.filter(workspace_id=workspace_id)
    if filters.languages:
        articles = articles.filter(language__in=filters.languages)
    if filters.articles:
        articles = articles.filter(pk__in=filters.articles)
    if narrows_claims(filters):
        claims = selected_claims(workspace_id=workspace_id, filters=filters)
        articles = articles.filter(pk__in=claims.values("article_id"))
    return articles


def article_revisions(*, workspace_id: int, filters: ExportFilters) -> list[dict[str, Any]]:
    """Each selected article's id, revision and checksum, in id order (a release's manifest)."""
    return [
        {"id": pk, "revision": revision, "checksum": checksum}
        for pk, revision, checksum in selected_articles(workspace_id=workspace_id, filters=filters)
        .order_by("pk")
        .values_list("pk", "revision", "checksum")
        .iterator(chunk_size=CHUNK_SIZE)
    ]


def raw_article_rows(
    *, workspace_id: int, filters: ExportFilters, batch_size: int = ARTICLE_BATCH
) -> Generator[RawArticle, None, None]:
    """The selected articles in id order, each with its selected claims and everything on them.

    Articles are read a batch at a time (keyset pagination on the id), then the live claims of the
    batch that pass the filters, their live highlights, their assessments, their live source links
    and their adjudications, one query each: a fixed number of queries per batch and at most one
    batch in memory. Run it inside read_snapshot() so the batches agree with each other.
    """
    articles = selected_articles(workspace_id=workspace_id, filters=filters).order_by("pk")
    claims = selected_claims(workspace_id=workspace_id, filters=filters)
    last = 0
    while True:
        batch = list(articles.filter(pk__gt=last).values_list(*ARTICLE_COLUMNS)[:batch_size])
        if not batch:
            return
        last = batch[-1][0]
        by_article = _raw_claims(claims.filter(article_id__in=[row[0] for row in batch]))
        for values in batch:
            yield RawArticle._make((*values, tuple(by_article.get(values[0], ()))))


def _raw_claims(claims: QuerySet[Claim]) -> dict[int, list[RawClaim]]:
    """The claims of one batch of articles with their highlights, assessments, sources and
    adjudications, grouped by article."""
    rows = list(claims.order_by("article_id", "id").values_list(*RAW_CLAIM_COLUMNS))
    if not rows:
        return {}
    # The ids themselves, not a subquery: given `claims` as a subquery, PostgreSQL scanned the
    # whole source table for each batch (an export's time grew with the square of the database).
    ids = [row[1] for row in rows]
    highlights = _grouped(
        Highlight.objects.filter(claim_id__in=ids)
        .order_by("claim_id", "created_at", "id")
        .values_list("claim_id", "start", "end", "exact", "user__username"),
        RawHighlight,
    )
    assessments = _grouped(
        Assessment.objects.filter(claim_id__in=ids)
        .order_by("claim_id", "created_at", "id")
        .values_list(
            "claim_id",
            "reviewer__username",
            "verdict__slug",
            "initial_verdict__slug",
            "confidence",
            "rationale",
        ),
        RawAssessment,
    )
    # What the person who linked the source gave (URL as typed, title...), else the shared
    # source's.
    sources = _grouped(
        ClaimSource.objects.filter(claim_id__in=ids)
        .order_by("claim_id", "created_at", "id")
        .values_list(
            "claim_id",
            Coalesce(NullIf("url", Value("")), "source__url"),
            "stance",
            "quote",
            Coalesce(NullIf("title", Value("")), "source__title"),
            Coalesce(NullIf("publisher", Value("")), "source__publisher"),
            Coalesce("published_at", "source__published_at"),
            "added_by__username",
        ),
        RawSource,
    )
    adjudications = _grouped(
        Adjudication.objects.filter(claim_id__in=ids)
        .order_by("claim_id", "created_at", "id")
        .values_list("claim_id", "adjudicator__username", "verdict__slug", "note", "created_at"),
        RawAdjudication,
    )
    by_article: dict[int, list[RawClaim]] = {}
    for article_id, claim_id, *fields in rows:
        by_article.setdefault(article_id, []).append(
            RawClaim._make(
                (
                    claim_id,
                    *fields,
                    tuple(highlights.get(claim_id, ())),
                    tuple(assessments.get(claim_id, ())),
                    tuple(sources.get(claim_id, ())),
                    tuple(adjudications.get(claim_id, ())),
                )
            )
        )
    return by_article


RawT = TypeVar("RawT")


def _grouped(query: QuerySet[Any], make: Callable[..., RawT]) -> dict[int, list[RawT]]:
    """Rows whose first value is a claim id, made into `make(*rest)` and grouped by claim."""
    grouped: dict[int, list[RawT]] = {}
    for claim_id, *fields in query:
        grouped.setdefault(claim_id, []).append(make(*fields))
    return grouped


_cursor_names = itertools.count(1)


def stream_chunks(
    query: QuerySet[Any], *, chunk_size: int = CHUNK_SIZE
) -> Generator[list[tuple[Any, ...]], None, None]:
    """The rows of a values_list query, in lists of up to chunk_size; closing it closes the cursor.

    On PostgreSQL through a server-side cursor of its own, in binary format: psycopg then builds
    every value in C, where the ORM's iterator() reads text and parses each timestamp in Python
    (Django's time zone loader), which made reading the rows cost more than writing them (twice
    as long for the claims, 2.5 times for the assessments). The SQL is the ORM's own, its
    parameters bound on the client as Django binds them. A helper thread fetches the next chunk
    while the current one is written, so the server's work overlaps the writer's when a core is
    free (10 to 20 % faster on two cores); at most two chunks wait in memory. Elsewhere (SQLite,
    or server-side cursors disabled for PgBouncer) the ORM's chunked iterator.
    """
    if connection.vendor != "postgresql" or connection.settings_dict.get(
        "DISABLE_SERVER_SIDE_CURSORS"
    ):
        orm_rows = query.iterator(chunk_size=chunk_size)
        try:
            while chunk := list(itertools.islice(orm_rows, chunk_size)):
                yield chunk
        finally:
            getattr(orm_rows, "close", lambda: None)()
        return
    sql, params = query.query.sql_with_params()
    statement = connection.ops.compose_sql(sql, params)  # type: ignore[attr-defined]
    connection.ensure_connection()
    pg = connection.connection
    assert pg is not None
    chunks: queue.Queue[list[tuple[Any, ...]] | BaseException] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def hand_over(item: list[tuple[Any, ...]] | BaseException) -> bool:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def fetch() -> None:
        try:
            # WITH HOLD only outside a transaction, as Django's own iterator() does;
            # read_snapshot() normally provides one. psycopg serialises the connection's use.
            # Errors come out as Django's (DatabaseError and kin), as from the ORM.
            name = f"workbench_export_{next(_cursor_names)}"
            with (
                connection.wrap_database_errors,
                pg.cursor(name=name, binary=True, withhold=pg.autocommit) as cursor,
            ):
                cursor.execute(statement)
                while hand_over(rows := cursor.fetchmany(chunk_size)) and rows:
                    pass
        except BaseException as exc:  # handed to the reader, which raises it
            hand_over(exc)

    fetcher = threading.Thread(target=fetch, name="export-fetch", daemon=True)
    fetcher.start()
    try:
        while item := chunks.get():
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        # Also when the reader stops early (a client gone): the cursor is closed, by the thread
        # that owns it, before the transaction can end.
        stop.set()
        fetcher.join()


def claim_reviews(claims: QuerySet[Claim], workspace: Workspace) -> list[dict[str, Any]]:
    """The ClaimReview documents of a few claims (a page of the feed, one claim's page), built by
    the export's own code: the public pages and the export always say the same."""
    if not claims.exists():
        return []  # an empty selection has no SQL to stream (EmptyResultSet)
    ctx = export_context(workspace)
    return [
        claim_review_document(row, ctx)
        for row in claim_rows(claims, chunk_size=100)
        if row.verdict_slug is not None
    ]


def export_context(workspace: Workspace) -> ExportContext:
    scale = tuple(
        ScaleLabel(slug, name, value, position)
        for slug, name, value, position in VerdictLabel.objects.filter(
            workspace_id=workspace.pk
        ).values_list("slug", "name", "value", "position")
    )
    return ExportContext(
        workspace_name=workspace.name,
        organisation_name=workspace.organisation_name or workspace.name,
        organisation_url=workspace.organisation_url,
        organisation_logo=workspace.organisation_logo,
        base_url=settings.SITE_URL,
        scale=scale,
    )


@dataclass(frozen=True, slots=True)
class Counts:
    claims: int
    by_verdict: dict[str, int]
    by_language: dict[str, int]


def claim_counts(claims: QuerySet[Claim]) -> Counts:
    """How many claims per final verdict (slug, "none" without one) and per language ("" unset)."""
    by_verdict: dict[str, int] = {}
    by_language: dict[str, int] = {}
    total = 0
    grouped = (
        claims.order_by()
        .values_list("final_verdict__slug", "article__language")
        .annotate(n=Count("id"))
    )
    for slug, language, n in grouped:
        total += n
        by_verdict[slug or "none"] = by_verdict.get(slug or "none", 0) + n
        by_language[language] = by_language.get(language, 0) + n
    return Counts(
        claims=total,
        by_verdict=dict(sorted(by_verdict.items())),
        by_language=dict(sorted(by_language.items())),
    )


def claim_id_list(claims: QuerySet[Claim]) -> list[int]:
    return list(claims.order_by("id").values_list("id", flat=True).iterator(chunk_size=CHUNK_SIZE))


@contextmanager
def read_snapshot() -> Iterator[None]:
    """Read everything inside from one consistent snapshot of the database.

    On PostgreSQL, outside any transaction, this is a REPEATABLE READ, READ ONLY transaction:
    the claims, sources and adjudications queries (and a release's several files) then agree
    with each other even while reviewers keep working, and server-side cursors need a
    transaction anyway. Inside a transaction already (a test, a caller's atomic block) that
    transaction is used as it is. SQLite reads each statement from a snapshot of its own; a
    transaction here would take its write lock for the whole export, so none is opened.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def in_snapshot(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, produced inside read_snapshot (for a response streamed after the view returns)."""
    with read_snapshot():
        yield from chunks
