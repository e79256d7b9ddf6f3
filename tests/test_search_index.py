"""The search's indexes on PostgreSQL (migration 0008): the stored documents are what search.py
would compute, they follow every change of an article or a claim, the indexed search finds and
ranks exactly what the search computed row by row finds, and the plans read the indexes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import F, Func, QuerySet

from annotations import search
from annotations.models import Article, Claim, Workspace
from annotations.services.articles import article_create, article_update
from annotations.services.claims import claim_create, claim_update
from annotations.services.revisions import article_revise
from annotations.text import checksum, quote_at
from tests.conftest import FRENCH_TEXT

ENGLISH_TEXT = (
    "Prices are rising faster than wages, the minister said on Tuesday.\n"
    "The council will spend £4 million on roads next year, a record."
)
# Languages of every branch of the configuration: French, English (with regions) and the rest.
LANGUAGES = ["fr", "fr-CA", "en", "en-GB", "de", "und", "", "french"]
QUERIES = [
    "chomage",
    "CHÔMAGE trimestre",
    "reculer",
    "rise",
    "prices",
    '"spend £4 million"',
    "council -roads",
    "insee or wages",
    "œuvre",
    "strasse",
    "minstre",
    "zoe lefevbre",
    "exemple news",
    "records",
    "le",
    "-",
    "é",
    "l'insee",
]


def ids(user: User, text: str, **filters: str) -> list[int]:
    criteria = search.Criteria(text=text, **filters)  # type: ignore[arg-type]
    sight = search.reader_sight(user=user, workspace_id=None)
    return [article.pk for article in search.article_results(sight=sight, criteria=criteria)]


def claim_ids(user: User, text: str) -> list[int]:
    sight = search.reader_sight(user=user, workspace_id=None)
    claims = search.claim_results(sight=sight, criteria=search.Criteria(text=text))
    return [claim.pk for claim in claims]


FINDERS: list[Callable[..., QuerySet[Any]]] = [search.article_results, search.claim_results]


def ranked(results: QuerySet[Any]) -> list[tuple[int, float]]:
    return [(row.pk, row.rank) for row in results]


def add_article(workspace: Workspace, user: User, text: str, **fields: str) -> Article:
    """An article with exactly the language given (article_create would detect an empty one)."""
    return Article.objects.create(
        workspace=workspace, created_by=user, text=text, checksum=checksum(text), **fields
    )


def add_claim(article: Article, user: User, passage: str, **fields: str) -> Claim:
    start = article.text.index(passage)
    quote = quote_at(article.text, start, start + len(passage))
    return Claim.objects.create(
        workspace=article.workspace,
        article=article,
        start=start,
        end=start + len(passage),
        exact=quote.exact,
        prefix=quote.prefix,
        suffix=quote.suffix,
        created_by=user,
        **fields,
    )


@pytest.fixture
def sample(workspace: Workspace, alice: User, bob: User) -> list[Article]:
    """Articles in every branch of the configuration, with accents, ligatures and names."""
    articles = []
    for i, language in enumerate(LANGUAGES):
        text = FRENCH_TEXT if i % 2 == 0 else ENGLISH_TEXT
        article = add_article(
            workspace,
            alice,
            f"{text}\nL'Œuvre de Straße, n° {i}.",
            title=["Chômage", "Council budget", "Prices"][i % 3],
            publisher=["Example News", "Éditions du Cœur", ""][i % 3],
            author=["Zoé Lefèvre", "Sam Reporter", ""][i % 3],
            language=language,
        )
        add_claim(
            article,
            bob,
            text.split("\n")[0][:40],
            claimant=["la ministre du Travail", "Zoé Lefèvre", ""][i % 3],
            normalised_text=["Le chômage recule.", "", "Prices rise."][i % 3],
        )
        articles.append(article)
    return articles


def test_the_stored_documents_are_the_documents_search_computes(sample: list[Article]) -> None:
    article_rows = Article.objects.filter(pk__in=[a.pk for a in sample]).annotate(
        computed=search._vector(search._ARTICLE.weighted, search._config("language")),
        stored=search._StoredDocument(),
    )
    for language, computed, stored in article_rows.values_list("language", "computed", "stored"):
        assert stored == computed, language
        assert "'strass" in stored and "ß" not in stored, language  # folded
    claim_rows = Claim.objects.filter(article__in=sample).annotate(
        computed=search._vector(search._CLAIM.weighted, search._config("article__language")),
        indexed=search._claim_document(search._config("article__language")),
    )
    assert claim_rows.count() == len(sample)
    for language, computed, indexed in claim_rows.values_list(
        "article__language", "computed", "indexed"
    ):
        assert indexed == computed, language


def test_the_sql_configuration_of_a_language_is_the_one_search_uses(sample: list[Article]) -> None:
    rows = Article.objects.filter(pk__in=[a.pk for a in sample]).annotate(
        in_python=search._config("language"),
        in_sql=Func(F("language"), function="annotations_search_config"),
    )
    configs = {
        language: (a, b) for language, a, b in rows.values_list("language", "in_python", "in_sql")
    }
    assert {language: b for language, (_a, b) in configs.items()} == {
        "fr": "french",
        "fr-CA": "french",
        "en": "english",
        "en-GB": "english",
        "de": "simple",
        "und": "simple",
        "": "simple",
        "french": "simple",
    }
    assert all(a == b for a, b in configs.values())


@pytest.mark.parametrize("text", QUERIES)
def test_the_indexed_search_finds_and_ranks_what_the_computed_one_does(
    sample: list[Article], erin: User, text: str
) -> None:
    sight = search.reader_sight(user=erin, workspace_id=None)
    for filters in ({}, {"language": "fr"}, {"status": "open"}):
        criteria = search.Criteria(text=text, **filters)  # type: ignore[arg-type]
        for results in FINDERS:
            indexed = ranked(results(sight=sight, criteria=criteria))
            computed = ranked(results(sight=sight, criteria=criteria, indexed=False))
            assert indexed == computed, (text, filters, results.__name__)
    assert ids(erin, text) or claim_ids(erin, text) or text in {"le", "-", "é"}  # not vacuous


def test_names_are_found_at_the_search_similarity_whatever_the_session_threshold(
    sample: list[Article], erin: User
) -> None:
    # "minstre" is 0.55 similar to "la ministre du travail": pg_trgm's default threshold for `<%`
    # (0.6) would miss it, a low one would find more; the search sets its own for the statement.
    expected = [c.pk for c in Claim.objects.filter(claimant="la ministre du Travail")]
    for threshold in ("0.9", "0.6", "0.1"):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [threshold]
            )
        assert sorted(claim_ids(erin, "minstre")) == sorted(expected), threshold


def test_an_article_is_found_by_what_it_says_now(
    workspace: Workspace, alice: User, bob: User, erin: User
) -> None:
    article = article_create(
        user=alice, workspace=workspace, text=FRENCH_TEXT, title="Chômage", language="fr"
    )
    assert ids(erin, "trimestre") == [article.pk]
    article_update(user=alice, article=article, title="Canicule", publisher="Météo-Pays")
    assert ids(erin, "canicule") == ids(erin, "meteo pays") == [article.pk]
    assert ids(erin, "trimestre") == [article.pk]
    # A correction of the text: the old words are gone, the new ones found.
    version = Article.objects.get(pk=article.pk).version
    article_revise(
        user=alice,
        article=article,
        version=version,
        text=FRENCH_TEXT.replace("trimestre", "semestre"),
    )
    assert ids(erin, "trimestre") == []
    assert ids(erin, "semestres") == [article.pk]  # French stemming
    # Another language: parsed again with its configuration ("recule" no longer stemmed).
    article_update(user=alice, article=article, language="de")
    assert ids(erin, "reculer") == []
    assert ids(erin, "recule") == [article.pk]
    # A claim's new claimant and wording are found too.
    article.refresh_from_db()
    start = article.text.index("Le chômage")
    claim = claim_create(user=bob, article=article, start=start, end=start + 10).claim
    assert claim_ids(erin, "zoe") == []
    claim_update(
        user=bob, claim=claim, version=claim.version, claimant="Zoé Lefèvre", normalised_text="X"
    )
    assert claim_ids(erin, "zoe") == claim_ids(erin, "lefevbre") == [claim.pk]


SYLLABLES = ["bra", "mo", "li", "tu", "ve", "sar", "no", "pi", "dé", "ga", "lon", "ri", "che"]


def _word(number: int) -> str:
    """A made-up word for each number, of syllables (as names and places are)."""
    word = ""
    while True:
        number, digit = divmod(number, len(SYLLABLES))
        word += SYLLABLES[digit]
        if not number:
            return word


def test_the_plans_read_the_indexes_on_a_few_thousand_rows(
    workspace: Workspace, alice: User, bob: User, erin: User
) -> None:
    articles = Article.objects.bulk_create(
        Article(
            workspace=workspace,
            created_by=alice,
            language=["fr", "en", "de"][i % 3],
            title=f"Dépêche de {_word(i)}",
            publisher=f"Journal de {_word(i % 50)}",
            author="Zoé Lefèvre" if i == 1234 else f"{_word(i * 7 + 3)} {_word(i * 13 + 5)}",
            text=" ".join(f"Le chômage recule à {_word(i * k + 11)}." for k in range(1, 15)),
        )
        for i in range(3_000)
    )
    Claim.objects.bulk_create(
        Claim(
            workspace=workspace,
            article=article,
            start=0,
            end=30,
            exact=article.text[:30],
            claimant="la ministre" if i == 1234 else f"{_word(i * 3 + 1)} {_word(i * 5 + 2)}",
            created_by=bob,
        )
        for i, article in enumerate(articles)
    )
    with connection.cursor() as cursor:
        # What autovacuum does after a bulk insert: GIN indexes take new rows into a pending list
        # (fastupdate), which the planner counts as a cost to read on every search until then.
        cursor.execute(
            """SELECT gin_clean_pending_list(index.indexrelid::regclass)
            FROM pg_index AS index
            JOIN pg_class AS class ON class.oid = index.indexrelid
            JOIN pg_am AS method ON method.oid = class.relam
            WHERE method.amname = 'gin'
              AND index.indrelid IN ('annotations_article'::regclass, 'annotations_claim'::regclass)"""
        )
        cursor.execute("ANALYZE annotations_article")
        cursor.execute("ANALYZE annotations_claim")
    sight = search.reader_sight(user=erin, workspace_id=None)

    def plan(results: Callable[..., QuerySet[Any]], text: str) -> str:
        return str(results(sight=sight, criteria=search.Criteria(text=text)).explain())

    rare = _word(1234 * 5 + 11)  # in article 1234 and a few others
    quoted = _word(1234 + 11)  # quoted by the claim of article 1234 (and a few others)
    for text, results, indexes in (
        (rare, search.article_results, ["article_search_document"]),
        ("zoe lefevbre", search.article_results, ["article_author_search_trgm"]),
        (quoted, search.claim_results, ["claim_search_french", "claim_search_simple"]),
        ("ministre", search.claim_results, ["claim_claimant_search_trgm"]),
    ):
        found = plan(results, text)
        for index in indexes:
            assert f"Bitmap Index Scan on {index}" in found, found
        assert "Seq Scan on annotations_article" not in found, (text, found)
        assert "Seq Scan on annotations_claim" not in found, (text, found)
        # pg_trgm's threshold is set before any row is read (a one-time filter).
        assert "One-Time Filter" in found, found
    assert articles[1234].pk in ids(erin, rare)
    assert articles[1234].claims.get().pk in claim_ids(erin, quoted)
    assert ids(erin, "zoe lefevbre") == [articles[1234].pk]
