"""Search: one box over the articles and claims of the reader's workspaces.

Reads only, each through the same gates as every other read: articles of the workspaces the reader
belongs to, claims through `selectors.claims_seen` (annotations.policy decides which claims the
reader may know of and what status and verdict they are shown), so a blind reader never finds a
claim they could not list, and the status filter selects by `shown_status`, never by the stored
status. The text searched is the claim's own (its quote, its normalised wording, its claimant)
and the article's own (title, publisher, author, text): never rationales, notes or sources, which
blind review may hide.

On PostgreSQL: full-text search with the text search configuration of the article's language
(`french`, `english`, `simple` otherwise), on text folded to lower case without accents on both
sides (`Fold`: no extension needed), ranked by `ts_rank`, plus pg_trgm's word similarity for names
(publisher, author, claimant), which forgives a typo. Elsewhere (SQLite, `make run`), every word
must appear in one of the same fields, case and accents ignored (a regular expression).

Indexes serve every condition on PostgreSQL (migration 0008): an article's document is a stored
generated column (`search_document`, GIN-indexed), a claim's is indexed once per configuration
(its language is its article's, another table), and the folded names have trigram indexes. The
conditions are written as those indexes hold them (the same SQL functions, a constant
configuration and query per condition), so a search reads the index and the matching rows, not
every article's text. `indexed=False` asks the same thing of the expressions computed row by row,
as before the indexes: what tests compare the indexed search with, and what the benchmark
(bench/search.py) measures it against.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from math import ceil
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchConfig,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Greatest

from annotations import policy, selectors
from annotations.access import check_role
from annotations.models import Article, Claim, Role

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

M = TypeVar("M", Article, Claim)

# pg_trgm word similarity from which a name counts as found ("minstre" finds "la ministre").
NAME_MIN_SIMILARITY = 0.5
# What a name's similarity (0 to 1) adds to the full-text rank (ts_rank: about 0.06 for one word
# found once in a title or quote): a name found outweighs a word found once, not the whole text.
NAME_RANK_WEIGHT = 0.1
# The snippet of an article: this many characters of its text, from a little before the match.
SNIPPET_BEFORE = 80
SNIPPET_LENGTH = 240
# Words of the query looked for to place the snippet and mark the matches (longest first).
MAX_MARKED_TERMS = 5
MIN_TERM_LENGTH = 2

# Accent folding. PostgreSQL splits accented letters into letter and marks (NFD) and drops the
# combining diacritical marks: much cheaper than translate() with a long table, and no extension
# (the SQL function `annotations_search_fold` of migration 0008). Python does the same to the query
# (`fold`).
_MARK_RANGE = ("\u0300", "\u036f")
# Ligatures spelt out (cœur, ex æquo, Straße).
LIGATURES = {"\u0153": "oe", "\u00e6": "ae", "\u00df": "ss"}


def _without_marks(text: str) -> str:
    low, high = _MARK_RANGE
    return "".join(char for char in unicodedata.normalize("NFD", text) if not low <= char <= high)


def fold(text: str) -> str:
    """Lower case, accents and ligatures folded: the query as `Fold` makes the documents."""
    folded = _without_marks(text.lower())
    for ligature, spelt in LIGATURES.items():
        folded = folded.replace(ligature, spelt)
    return folded


def _accented_variants() -> dict[str, str]:
    """Each plain Latin letter with the accented letters (both cases) that fold to it, for
    finding the words of a search in a text as typed."""
    variants: dict[str, str] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        bare = _without_marks(char)
        if bare != char and len(bare) == 1 and bare.isascii() and bare.isalpha():
            variants[bare.lower()] = variants.get(bare.lower(), "") + char
    return variants


_VARIANTS = _accented_variants()


class Fold(Func):
    """SQL twin of `fold`: on PostgreSQL the function of migration 0008 (which the name indexes
    and the stored documents are built with); elsewhere it only lowers the case."""

    function = "LOWER"
    output_field = TextField()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> _AsSqlType:
        return super().as_sql(
            compiler, connection, function="annotations_search_fold", **extra_context
        )


def _letter_pattern(char: str) -> str:
    """A letter of a needle as a regular expression: with or without its accent."""
    if char in _VARIANTS:
        return f"[{char}{_VARIANTS[char]}]"
    return re.escape(char)


def _needle_pattern(needle: str) -> str:
    """A folded word as a regular expression over a text as stored: each letter with or without
    its accent, a ligature for the two letters it stands for."""
    parts: list[str] = []
    at = 0
    while at < len(needle):
        ligature = next(
            (lig for lig, spelt in LIGATURES.items() if needle.startswith(spelt, at)), ""
        )
        if ligature:
            spelt = LIGATURES[ligature]
            parts.append(f"(?:{''.join(map(_letter_pattern, spelt))}|{ligature})")
            at += len(spelt)
        else:
            parts.append(_letter_pattern(needle[at]))
            at += 1
    return "".join(parts)


# --- What the reader asked for ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Criteria:
    """A search: the words typed (websearch syntax on PostgreSQL: "a phrase", -word, or) and the
    filters. `status` selects claims by the status the reader is shown."""

    text: str = ""
    workspace_id: int | None = None
    language: str = ""
    status: str = ""

    @property
    def terms(self) -> list[str]:
        """The words and "quoted phrases" that must appear (not the -excluded ones)."""
        return [term for term, excluded in _tokens(self.text) if not excluded]

    @property
    def excluded(self) -> list[str]:
        return [term for term, excluded in _tokens(self.text) if excluded]

    @property
    def given(self) -> bool:
        """Whether there is anything to search for (words or a filter)."""
        return bool(self.text.strip() or self.workspace_id or self.language or self.status)


_TOKEN = re.compile(r'(-?)(?:"([^"]*)"|(\S+))')


def _tokens(text: str) -> list[tuple[str, bool]]:
    found: list[tuple[str, bool]] = []
    for minus, phrase, word in _TOKEN.findall(text):
        term = (phrase or word).strip().strip('"')
        if term and term.lower() != "or":
            found.append((term, bool(minus)))
    return found


def reader_sight(*, user: policy.AnyUser, workspace_id: int | None) -> policy.Sight:
    """What the reader sees, narrowed to one workspace when asked: a workspace they are not in
    answers 404, like every read of it (no query beyond the reader's memberships)."""
    sight = policy.sight_of(user)
    if workspace_id is None:
        return sight
    check_role(current=sight.roles.get(workspace_id), needed=Role.ANNOTATOR)
    return sight.only(workspace_id)


# --- The result lists ---------------------------------------------------------------------------


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


# Text search configurations by article language (ISO 639-1, with or without a region); every
# other language is parsed with "simple" (no stemming, no stop words). Migration 0008's
# `annotations_search_config` says the same in SQL, for the stored documents.
CONFIGS = {"fr": "french", "en": "english"}
DEFAULT_CONFIG = "simple"


def _in_language(field: str, code: str) -> Q:
    return Q(**{field: code}) | Q(**{f"{field}__startswith": f"{code}-"})


def _config(language: str) -> Case:
    """The text search configuration of a row, from its article's language. Its branches are
    regconfig constants, so that the document is an immutable expression (indexable)."""
    return Case(
        *(
            When(_in_language(language, code), then=SearchConfig(name))
            for code, name in CONFIGS.items()
        ),
        default=SearchConfig(DEFAULT_CONFIG),
        output_field=TextField(),
    )


def _document_alias(config: str) -> str:
    return f"document_{config}"


def _matches(language: str, text: str) -> Q:
    """The rows whose document matches the words, each language's rows with its configuration's
    query against the document aliased `document_<configuration>`: one condition per
    configuration, each with a constant configuration and query, which is what the indexes of
    migration 0008 answer."""
    folded = fold(text)
    others = Q()
    found = Q(pk__in=[])
    for code, name in CONFIGS.items():
        query = SearchQuery(folded, config=name, search_type="websearch")
        found |= _in_language(language, code) & Q(**{_document_alias(name): query})
        others &= ~_in_language(language, code)
    query = SearchQuery(folded, config=DEFAULT_CONFIG, search_type="websearch")
    return found | (others & Q(**{_document_alias(DEFAULT_CONFIG): query}))


def _vector(weighted: dict[str, Sequence[str]], config: Expression) -> Expression:
    """The document computed from the fields, in the configuration given: what the stored
    article documents and the claims' document function of migration 0008 hold."""
    vectors = [
        SearchVector(*(Fold(name) for name in names), config=config, weight=weight)
        for weight, names in weighted.items()
    ]
    combined: Expression = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined


class _StoredDocument(Expression):
    """An article's `search_document`, the generated column of migration 0008, on the query's own
    article table: a column Django does not know of (it never writes it), read on PostgreSQL
    only."""

    output_field = SearchVectorField()

    def __init__(self, alias: str | None = None) -> None:
        super().__init__()
        self.alias = alias

    def resolve_expression(
        self,
        query: Any = None,
        allow_joins: bool = True,
        reuse: set[str] | None = None,
        summarize: bool = False,
        for_save: bool = False,
    ) -> _StoredDocument:
        return _StoredDocument(query.get_initial_alias())

    def relabeled_clone(self, change_map: Mapping[str, str]) -> _StoredDocument:
        return _StoredDocument(change_map.get(self.alias or "", self.alias))

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> _AsSqlType:
        assert self.alias, "resolved against a query first"
        return f"{compiler.quote_name_unless_alias(self.alias)}.search_document", []


def _claim_document(config: Expression) -> Expression:
    """A claim's document in a configuration: the function migration 0008 indexes the claims
    with, one index per constant configuration."""
    return Func(
        config,
        F("exact"),
        F("normalised_text"),
        F("claimant"),
        function="annotations_claim_document",
        output_field=SearchVectorField(),
    )


def _similarity(text: str, names: Sequence[str]) -> Expression:
    similarities = [TrigramWordSimilarity(fold(text), Fold(name)) for name in names]
    if len(similarities) == 1:
        return similarities[0]
    return Greatest(*similarities, output_field=FloatField())


def _names_similar(text: str, names: Sequence[str]) -> Q:
    """Rows with a name of word similarity at least NAME_MIN_SIMILARITY to the words, as pg_trgm's
    `<%` operator says it (which the trigram indexes answer), under `_WordSimilarityThreshold`."""
    folded = fold(text)
    found = Q(pk__in=[])
    for name in names:
        found |= Q(TrigramWordSimilar(Fold(name), folded))
    return found


class _WordSimilarityThreshold(Expression):
    """Always true, once it has set pg_trgm.word_similarity_threshold, which `<%` compares with,
    to NAME_MIN_SIMILARITY: so that `_names_similar` finds exactly the names whose similarity is
    at least that. In the search's own statement, as an uncorrelated subquery, which PostgreSQL
    runs once before reading any row (a one-time filter, see EXPLAIN), for the statement's
    transaction only: it holds on whichever connection runs the statement (a pooler's too), costs
    no query, and leaves other statements alone (`set_config(..., true)` is local)."""

    conditional = True
    output_field = BooleanField()

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> _AsSqlType:
        return (
            "(SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)) IS NOT NULL",
            [str(NAME_MIN_SIMILARITY)],
        )


@dataclass(frozen=True, slots=True)
class _Searched:
    """What a search reads of a model: the fields of its document by weight, the names also
    found by similarity, where its language is, and its document as migration 0008 indexes it (in
    the configuration given)."""

    weighted: dict[str, Sequence[str]]
    names: Sequence[str]
    language: str
    indexed_document: Callable[[Expression], Expression]
    # Which condition PostgreSQL checks first on a row (it goes through an OR in order, on every
    # row when it reads the whole table for a common word, and on the rows a trigram index found):
    # the cheaper. A stored document costs less to check than folding two names; a claim's
    # document, parsed from its text, costs more than folding its claimant.
    names_first: bool


_ARTICLE = _Searched(
    weighted={"A": ["title"], "B": ["publisher", "author"], "C": ["text"]},
    names=["publisher", "author"],
    language="language",
    # The stored document is in each row's own configuration already.
    indexed_document=lambda config: _StoredDocument(),
    names_first=False,
)
_CLAIM = _Searched(
    weighted={"A": ["exact", "normalised_text"], "B": ["claimant"]},
    names=["claimant"],
    language="article__language",
    indexed_document=_claim_document,
    names_first=True,
)


def _matching(
    queryset: QuerySet[M], criteria: Criteria, searched: _Searched, *, indexed: bool
) -> QuerySet[M]:
    """The rows matching the words, each with its `rank` (0 without words), best first, then
    newest."""
    if not criteria.text.strip():
        return queryset.annotate(rank=Value(0.0, output_field=FloatField())).order_by(
            "-created_at", "-id"
        )
    if not _on_postgresql():
        return _matching_portable(queryset, criteria, [*searched.weighted.values()], searched.names)
    config = _config(searched.language)
    configs = [*CONFIGS.values(), DEFAULT_CONFIG]
    name_score = _similarity(criteria.text, searched.names)
    if indexed:
        names = _names_similar(criteria.text, searched.names)
        words = _matches(searched.language, criteria.text)
        queryset = (
            queryset.alias(
                document=searched.indexed_document(config),
                **{
                    _document_alias(name): searched.indexed_document(SearchConfig(name))
                    for name in configs
                },
                name_score=name_score,
            )
            .filter(_WordSimilarityThreshold())
            .filter(names | words if searched.names_first else words | names)
        )
    else:
        # The same conditions on the document computed row by row (no index answers them).
        document = _vector(searched.weighted, config)
        queryset = queryset.alias(
            document=document,
            **{_document_alias(name): document for name in configs},
            name_score=name_score,
        ).filter(
            _matches(searched.language, criteria.text) | Q(name_score__gte=NAME_MIN_SIMILARITY)
        )
    query = SearchQuery(fold(criteria.text), config=config, search_type="websearch")
    rank = SearchRank(F("document"), query) + F("name_score") * NAME_RANK_WEIGHT
    return queryset.annotate(rank=ExpressionWrapper(rank, output_field=FloatField())).order_by(
        "-rank", "-created_at", "-id"
    )


def _matching_portable(
    queryset: QuerySet[M],
    criteria: Criteria,
    weighted: Iterable[Sequence[str]],
    names: Sequence[str],
) -> QuerySet[M]:
    fields = {*(name for group in weighted for name in group), *names}

    def anywhere(term: str) -> Q:
        # Django gives SQLite a REGEXP function (Python's re): accents and case ignored.
        pattern = _needle_pattern(fold(term))
        found = Q(pk__in=[])
        for field in sorted(fields):
            found |= Q(**{f"{field}__iregex": pattern})
        return found

    for term in criteria.terms:
        queryset = queryset.filter(anywhere(term))
    for term in criteria.excluded:
        queryset = queryset.exclude(anywhere(term))
    return queryset.annotate(rank=Value(0.0, output_field=FloatField())).order_by(
        "-created_at", "-id"
    )


def article_results(
    *, sight: policy.Sight, criteria: Criteria, indexed: bool = True
) -> QuerySet[Article]:
    """Articles of the reader's workspaces matching the search, best first. Present the page
    read with `present_article_results` (a snippet around the first word found). `indexed=False`:
    the same results without the indexes (see the module's doc)."""
    articles = Article.objects.filter(workspace_id__in=sorted(sight.member))
    if criteria.language:
        articles = articles.filter(language=criteria.language)
    articles = _matching(articles, criteria, _ARTICLE, indexed=indexed)
    # The text is read for the rows of the page only (the sort keeps the top rows alone), and
    # cut around the match here rather than in SQL, which would do it for every row found.
    return articles.only(
        "title", "url", "publisher", "author", "language", "text", "workspace_id", "created_at"
    ).annotate(workspace_name=F("workspace__name"))


def claim_results(
    *, sight: policy.Sight, criteria: Criteria, indexed: bool = True
) -> QuerySet[Claim]:
    """Claims the reader may know of matching the search in their own words, best first, with
    the policy's annotations (`shown_status`, `shown_verdict`): present each row read with
    `present_claim_results`. `indexed=False`: the same results without the indexes."""
    claims = selectors.claims_seen(sight)
    if criteria.language:
        claims = claims.filter(article__language=criteria.language)
    if criteria.status:
        claims = claims.filter(Q(shown_status=criteria.status))
    claims = _matching(claims, criteria, _CLAIM, indexed=indexed)
    return claims.annotate(article_title=F("article__title"), workspace_name=F("workspace__name"))


class _CountedPaginator(Paginator[Any]):
    """A paginator told how many results there are (read along with the page)."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


_MAX_OFFSET = 2**63 - 1


def result_page(results: QuerySet[M], *, number: int, per_page: int) -> Page[M]:
    """One page of `article_results` or `claim_results` and how many there are, in one query: the
    count rides along each row (COUNT(*) OVER ()), so that the matching, and the ranking of every
    row found, runs once. A number past the end gives the last page."""
    offset = (number - 1) * per_page
    # An offset past what SQL can hold (bigint) is past the end of any result: no query for it.
    rows = (
        list(results.annotate(found=Window(Count("*")))[offset : offset + per_page])
        if offset + per_page <= _MAX_OFFSET
        else []
    )
    total = int(rows[0].found) if rows else 0
    if not rows and number > 1:
        total = results.count()
        if total:
            return result_page(results, number=ceil(total / per_page), per_page=per_page)
        number = 1
    return Page(rows, number, _CountedPaginator(results, per_page, count=total))


def words_pattern(criteria: Criteria) -> re.Pattern[str] | None:
    """The words of the search as one regular expression over a text as stored: case and accents
    ignored, longest first (marked whole), each also shortened by two letters when long enough,
    as a stem would be ("reculer" finds "reculé"). None without words."""
    terms = sorted(
        {fold(term) for term in criteria.terms if len(term) >= MIN_TERM_LENGTH},
        key=lambda term: (-len(term), term),
    )[:MAX_MARKED_TERMS]
    needles = [*terms, *(term[:-2] for term in terms if len(term) >= 6)]
    if not needles:
        return None
    return re.compile("|".join(map(_needle_pattern, needles)), re.IGNORECASE)


# --- Presenting a page of results ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text, and whether it matched a word of the search (shown marked)."""

    text: str
    match: bool


def marked(text: str, words: re.Pattern[str] | None) -> list[Piece]:
    """`text` cut into pieces, the words of the search marked."""
    pieces: list[Piece] = []
    done = 0
    for found in words.finditer(text) if words else ():
        if found.start() > done:
            pieces.append(Piece(text[done : found.start()], False))
        if found.end() > found.start():
            pieces.append(Piece(found.group(), True))
        done = found.end()
    if done < len(text) or not pieces:
        pieces.append(Piece(text[done:], False))
    return pieces


def snippet(text: str, words: re.Pattern[str] | None) -> list[Piece]:
    """Some of `text` around the first word of the search found in it (else its start), cut at
    word boundaries, with an ellipsis where the text goes on, the words marked."""
    found = words.search(text) if words else None
    start = max(found.start() - SNIPPET_BEFORE, 0) if found else 0
    end = start + SNIPPET_LENGTH
    cut = " ".join(text[start:end].split())
    if start > 0:
        space = cut.find(" ")
        cut = "…" + (cut[space + 1 :] if 0 <= space < 20 else cut)
    if end < len(text):
        space = cut.rfind(" ")
        cut = (cut[:space] if space > SNIPPET_LENGTH // 2 else cut) + "…"
    return marked(cut, words)


def present_article_results(articles: Iterable[Article], criteria: Criteria) -> list[Article]:
    """A page of `article_results`, each with its `snippet_pieces` to show."""
    words = words_pattern(criteria)
    page = list(articles)
    for article in page:
        article.snippet_pieces = snippet(article.text, words)  # type: ignore[attr-defined]
    return page


def present_claim_results(
    claims: Iterable[Claim], sight: policy.Sight, criteria: Criteria
) -> list[Claim]:
    """A page of `claim_results`, presented by the policy (`claim.shown`), each with its quote's
    `quote_pieces` to show."""
    words = words_pattern(criteria)
    page = selectors.present_claims(claims, sight)
    for claim in page:
        claim.quote_pieces = marked(claim.shown.exact, words)  # type: ignore[attr-defined]
    return page
