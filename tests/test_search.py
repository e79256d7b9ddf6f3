"""Search over articles and claims (annotations.search): what it finds, in which language, and
that it finds nothing the reader may not see."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db.models import Value

from annotations import search
from annotations.models import Article, Claim, Role, Workspace
from annotations.policy import AWAITING_VERDICT
from annotations.services.articles import article_create
from annotations.services.assessments import assessment_create
from annotations.services.claims import claim_create
from annotations.services.workspaces import member_add, workspace_create, workspace_update

ENGLISH_TEXT = (
    "Prices are rising faster than wages, the minister said on Tuesday.\n"
    "The council will spend £4 million on roads next year."
)
SECRET = "zorglubien"  # a word only bob's rationale holds


def found(
    user: User, text: str = "", **filters: str | int | None
) -> tuple[list[Article], list[Claim]]:
    criteria = search.Criteria(text=text, **filters)  # type: ignore[arg-type]
    sight = search.reader_sight(user=user, workspace_id=criteria.workspace_id)
    return (
        list(search.article_results(sight=sight, criteria=criteria)),
        list(search.claim_results(sight=sight, criteria=criteria)),
    )


def claim_of(article: Article, user: User, passage: str, **fields: str) -> Claim:
    start = article.text.index(passage)
    return claim_create(
        user=user, article=article, start=start, end=start + len(passage), **fields
    ).claim


@pytest.fixture
def english(workspace: Workspace, alice: User) -> Article:
    return article_create(
        user=alice,
        workspace=workspace,
        text=ENGLISH_TEXT,
        title="Council budget",
        publisher="Example News",
        author="Sam Reporter",
        language="en",
    )


@pytest.fixture
def frank(make_user: Callable[[str], User], workspace: Workspace, alice: User) -> User:
    """A third reviewer of the desk, who has assessed nothing."""
    user = make_user("frank")
    member_add(actor=alice, workspace=workspace, username="frank", role=Role.REVIEWER)
    return user


# --- Matching -----------------------------------------------------------------------------------


def test_it_finds_articles_whatever_the_accents_and_case(
    article: Article, english: Article, erin: User
) -> None:
    for typed in ("chomage", "CHÔMAGE", "Chômage", "troisieme trimestre"):
        articles, _claims = found(erin, typed)
        assert [a.pk for a in articles] == [article.pk], typed


def test_it_stems_with_the_configuration_of_the_articles_language(
    article: Article, english: Article, erin: User
) -> None:
    # English stemming for the English article ("rise" finds "rising"), French for the French one
    # ("reculer" finds "a reculé").
    assert [a.pk for a in found(erin, "rise")[0]] == [english.pk]
    assert [a.pk for a in found(erin, "reculer")[0]] == [article.pk]
    # Phrases and excluded words (websearch syntax).
    assert [a.pk for a in found(erin, '"spend £4 million"')[0]] == [english.pk]
    assert found(erin, "council -roads")[0] == []


def test_it_finds_publishers_and_authors_by_trigram_similarity(
    article: Article, english: Article, erin: User
) -> None:
    assert [a.pk for a in found(erin, "Exemple News")[0]] == [english.pk]
    assert [a.pk for a in found(erin, "sam reportr")[0]] == [english.pk]


def test_it_puts_a_snippet_around_the_first_match(
    article: Article, english: Article, erin: User
) -> None:
    criteria = search.Criteria(text="departements")
    sight = search.reader_sight(user=erin, workspace_id=None)
    [shown] = search.present_article_results(
        search.article_results(sight=sight, criteria=criteria), criteria
    )
    marked = [piece.text for piece in shown.snippet_pieces if piece.match]  # type: ignore[attr-defined]
    assert marked == ["départements"]
    text = "".join(piece.text for piece in shown.snippet_pieces)  # type: ignore[attr-defined]
    assert text.startswith("…") and "Une trentaine de départements" in text


def test_it_finds_claims_by_quote_wording_and_claimant(
    article: Article, english: Article, bob: User, erin: User
) -> None:
    jobs = claim_of(
        article,
        bob,
        "« Nous avons créé plus de 40 000 emplois »",
        claimant="la ministre du Travail",
        normalised_text="Le gouvernement a créé 40 000 emplois.",
    )
    prices = claim_of(english, bob, "Prices are rising faster than wages")
    assert [c.pk for c in found(erin, "emplois crees")[1]] == [jobs.pk]
    assert [c.pk for c in found(erin, "gouvernement")[1]] == [jobs.pk]
    # A misspelt claimant is still found (trigram similarity).
    assert [c.pk for c in found(erin, "minstre")[1]] == [jobs.pk]
    assert [c.pk for c in found(erin, "wage")[1]] == [prices.pk]
    # The article's title is the article's, not the claim's.
    assert found(erin, "budget")[1] == []


def test_it_ranks_by_relevance_then_newest(article: Article, bob: User, erin: User) -> None:
    twice = claim_of(
        article,
        bob,
        "Le chômage a reculé de 0,3 point au troisième trimestre, selon l'Insee",
        normalised_text="L'Insee mesure le recul du chômage.",
    )
    older = claim_of(article, bob, "Une trentaine de départements", normalised_text="Selon l'Insee")
    newer = claim_of(article, bob, "L'opposition affirme", normalised_text="Selon l'Insee")
    assert [c.pk for c in found(erin, "insee")[1]] == [twice.pk, newer.pk, older.pk]
    # Without words, filters alone list the newest first.
    assert [c.pk for c in found(erin, "", language="fr")[1]] == [newer.pk, older.pk, twice.pk]


def test_it_filters_by_workspace_and_language(
    article: Article, english: Article, erin: User, alice: User
) -> None:
    other = workspace_create(user=alice, name="Other desk")
    elsewhere = article_create(
        user=alice, workspace=other, text="Le chômage recule encore.", language="fr"
    )
    assert {a.pk for a in found(alice, "chomage")[0]} == {article.pk, elsewhere.pk}
    assert [a.pk for a in found(alice, "chomage", workspace_id=other.pk)[0]] == [elsewhere.pk]
    assert found(alice, "chomage", language="en")[0] == []
    assert [a.pk for a in found(alice, "", language="en")[0]] == [english.pk]


def test_it_falls_back_to_containment_without_accents_off_postgresql(
    article: Article, english: Article, bob: User, erin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "_on_postgresql", lambda: False)
    jobs = claim_of(article, bob, "« Nous avons créé plus de 40 000 emplois »", claimant="Insee")
    assert [a.pk for a in found(erin, "chomage")[0]] == [article.pk]
    assert [a.pk for a in found(erin, "TROISIÈME")[0]] == [article.pk]
    assert [a.pk for a in found(erin, "council -roads")[0]] == []
    assert [a.pk for a in found(erin, '"faster than wages"')[0]] == [english.pk]
    assert [c.pk for c in found(erin, "insee 40 000")[1]] == [jobs.pk]


# --- Visibility ---------------------------------------------------------------------------------


def test_a_blind_reviewer_finds_nothing_by_a_colleagues_rationale(
    workspace: Workspace, article: Article, claim: Claim, alice: User, bob: User, carol: User
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    assessment_create(user=bob, claim=claim, verdict="false", rationale=f"The {SECRET} table")
    for reader in (carol, alice):
        assert found(reader, SECRET) == ([], [])
    # The claim itself she finds, awaiting her verdict.
    [seen] = search.present_claim_results(
        found(carol, "chomage")[1],
        search.reader_sight(user=carol, workspace_id=None),
        search.Criteria(),
    )
    assert seen.shown.status == AWAITING_VERDICT  # type: ignore[attr-defined]
    assert seen.shown.final_verdict is None  # type: ignore[attr-defined]


def test_the_status_filter_selects_by_what_a_blind_reviewer_is_shown(
    workspace: Workspace,
    claim: Claim,
    alice: User,
    bob: User,
    carol: User,
    frank: User,
    erin: User,
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    assessment_create(user=bob, claim=claim, verdict="true")
    assessment_create(user=carol, claim=claim, verdict="true")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.RESOLVED  # by consensus, without frank
    assert found(frank, "chomage", status="resolved")[1] == []
    assert found(frank, "", status="resolved")[1] == []
    assert [c.pk for c in found(frank, "chomage", status=AWAITING_VERDICT)[1]] == [claim.pk]
    # Those who may see the status find it by it.
    for reader in (alice, bob, erin):
        assert [c.pk for c in found(reader, "", status="resolved")[1]] == [claim.pk]


def test_independent_highlighting_hides_claims_only_others_highlighted(
    workspace: Workspace, article: Article, claim: Claim, alice: User, carol: User
) -> None:
    workspace_update(
        user=alice, workspace=workspace, blind_review=True, independent_highlighting=True
    )
    articles, claims = found(carol, "chomage")
    assert [a.pk for a in articles] == [article.pk]
    assert claims == []


def test_an_outsider_finds_nothing_of_a_workspace_they_are_not_in(
    article: Article, claim: Claim, mallory: User, bob: User
) -> None:
    own = workspace_create(user=mallory, name="Mallory's desk")
    article_create(user=mallory, workspace=own, text="Rien à voir.", language="fr")
    assert found(mallory, "chomage") == ([], [])
    assert [a.workspace_id for a in found(mallory, "")[0]] == [own.pk]
    assert found(mallory, "", status="open")[1] == []
    with pytest.raises(Exception, match="Not found"):
        search.reader_sight(user=mallory, workspace_id=article.workspace_id)


# --- Folding and marking ------------------------------------------------------------------------


def test_it_folds_accents_the_same_way_in_python_and_in_sql(workspace: Workspace) -> None:
    sample = "Œuvre DÉJÀ naïve, Straße, ex æquo: ÇA Ñandú Łódź"
    assert search.fold(sample) == "oeuvre deja naive, strasse, ex aequo: ca nandu łodz"
    in_sql = (
        Workspace.objects.annotate(folded=search.Fold(Value(sample)))
        .values_list("folded", flat=True)
        .first()
    )
    assert in_sql == search.fold(sample)


def test_it_marks_every_word_of_the_search_in_a_text() -> None:
    words = search.words_pattern(search.Criteria(text="chômage -le COEUR"))
    pieces = search.marked("Le Chomage, le CHÔMAGE du cœur.", words)
    assert [(p.text, p.match) for p in pieces] == [
        ("Le ", False),
        ("Chomage", True),
        (", le ", False),
        ("CHÔMAGE", True),
        (" du ", False),
        ("cœur", True),
        (".", False),
    ]
    assert search.marked("Rien", None) == [search.Piece("Rien", False)]
