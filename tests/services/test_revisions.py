"""Correcting an article's text: the old text is kept and every claim and highlight is placed
again, or kept as an orphan; checked on real rows, with many random edits."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.errors import StaleVersion
from annotations.models import (
    Article,
    ArticleRevision,
    CandidateClaim,
    Claim,
    ClaimEvent,
    Highlight,
    Workspace,
)
from annotations.services.articles import article_create, article_update
from annotations.services.claims import claim_create, claim_update
from annotations.services.revisions import article_revise
from annotations.text import CONTEXT_CHARS, checksum
from tests.conftest import FRENCH_TEXT

MINISTER = "« Nous avons créé plus de 40 000 emplois »"
DEPARTMENTS = "Une trentaine de départements restent au-dessus de 9 %."


def _claim(article: Article, user: User, quote: str) -> Claim:
    start = article.text.index(quote)
    return claim_create(user=user, article=article, start=start, end=start + len(quote)).claim


def _version(article: Article) -> int:
    """The article's version as stored: what an editor who loads it now corrects."""
    return Article.objects.values_list("version", flat=True).get(pk=article.pk)


def _assert_well_placed(text: str, span: Claim | Highlight) -> None:
    assert span.start is not None
    assert span.end is not None
    assert 0 <= span.start < span.end <= len(text)
    assert text[span.start : span.end] == span.exact
    assert span.prefix == text[max(0, span.start - CONTEXT_CHARS) : span.start]
    assert span.suffix == text[span.end : span.end + CONTEXT_CHARS]


def test_it_keeps_the_old_text_and_shifts_claims_past_an_insertion(
    article: Article, alice: User, bob: User, carol: User
) -> None:
    claim = _claim(article, bob, MINISTER)
    claim_create(user=carol, article=article, start=claim.start or 0, end=claim.end or 0)
    new_text = "Mis à jour le 3 mai 🙂 : chiffres corrigés.\n" + FRENCH_TEXT

    outcome = article_revise(
        user=alice, article=article, version=_version(article), text=new_text, note="Chapeau ajouté"
    )

    article.refresh_from_db()
    claim.refresh_from_db()
    assert article.text == new_text
    assert article.revision == 2
    assert article.checksum == checksum(new_text)
    kept = ArticleRevision.objects.get(article=article)
    assert (kept.number, kept.text, kept.note) == (1, FRENCH_TEXT, "Chapeau ajouté")
    assert claim.start == new_text.index(MINISTER)
    _assert_well_placed(new_text, claim)
    for highlight in Highlight.objects.filter(claim=claim):
        assert (highlight.start, highlight.end) == (claim.start, claim.end)
        _assert_well_placed(new_text, highlight)
    assert outcome.claims == {"shifted": 1}
    assert outcome.highlights == {"shifted": 2}


def test_it_keeps_a_claim_whose_sentence_was_deleted_as_an_orphan(
    article: Article, alice: User, bob: User
) -> None:
    kept = _claim(article, bob, MINISTER)
    lost = _claim(article, bob, DEPARTMENTS)
    new_text = FRENCH_TEXT.replace("\n" + DEPARTMENTS, "")

    outcome = article_revise(user=alice, article=article, version=_version(article), text=new_text)

    lost.refresh_from_db()
    assert lost.orphaned
    assert (lost.start, lost.end) == (None, None)
    assert lost.exact == DEPARTMENTS
    highlight = Highlight.objects.get(claim=lost)
    assert highlight.orphaned
    assert highlight.start is None
    assert outcome.orphaned_claim_ids == [lost.pk]
    assert outcome.claims == {"position": 1, "orphan": 1}
    kept.refresh_from_db()
    _assert_well_placed(new_text, kept)
    event = ClaimEvent.objects.get(claim=lost)
    assert event.kind == "reanchored"
    assert event.after == {
        "start": None,
        "end": None,
        "exact": DEPARTMENTS,
        "orphaned": True,
        "method": "orphan",
        "revision": 2,
    }


def test_it_places_an_orphan_again_when_a_later_correction_restores_its_quote(
    article: Article, alice: User, bob: User
) -> None:
    claim = _claim(article, bob, DEPARTMENTS)
    article_revise(
        user=alice,
        article=article,
        version=_version(article),
        text=FRENCH_TEXT.replace(DEPARTMENTS, "(supprimé)"),
    )
    claim.refresh_from_db()
    assert claim.orphaned

    restored = "Correction : la phrase revient.\n" + FRENCH_TEXT
    article_revise(user=alice, article=article, version=_version(article), text=restored)

    claim.refresh_from_db()
    assert not claim.orphaned
    assert claim.start == restored.index(DEPARTMENTS)
    _assert_well_placed(restored, claim)
    assert list(
        ArticleRevision.objects.filter(article=article).values_list("number", flat=True)
    ) == [2, 1]


def test_it_follows_a_quote_that_was_itself_corrected(
    article: Article, alice: User, bob: User
) -> None:
    claim = _claim(article, bob, "Le chômage a reculé de 0,3 point au troisième trimestre")
    new_text = FRENCH_TEXT.replace("0,3 point", "0,4 point")

    outcome = article_revise(user=alice, article=article, version=_version(article), text=new_text)

    claim.refresh_from_db()
    assert outcome.claims == {"fuzzy": 1}
    assert claim.exact == "Le chômage a reculé de 0,4 point au troisième trimestre"
    _assert_well_placed(new_text, claim)


def test_it_refuses_a_stale_edit_of_a_claim_that_a_correction_moved(
    article: Article, alice: User, bob: User
) -> None:
    claim = _claim(article, bob, MINISTER)
    version = claim.version

    article_revise(
        user=alice, article=article, version=_version(article), text="Préambule.\n" + FRENCH_TEXT
    )

    with pytest.raises(StaleVersion):
        claim_update(user=bob, claim=claim, version=version, claimant="la ministre")


def test_it_normalises_the_new_text_like_an_import(article: Article, alice: User) -> None:
    article_revise(
        user=alice,
        article=article,
        version=_version(article),
        text="Le che\u0301mage\r\nbaisse.\x00",
    )

    article.refresh_from_db()
    assert article.text == "Le chémage\nbaisse."


def test_it_queues_the_extraction_again_and_drops_candidates_of_the_old_text(
    workspace: Workspace, alice: User, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        article = article_create(user=alice, workspace=workspace, text=FRENCH_TEXT)
    assert CandidateClaim.objects.filter(article=article).exists()
    new_text = "Selon le ministère, le chômage a baissé de 2 % en 2024.\n" + FRENCH_TEXT

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        article_revise(user=alice, article=article, version=_version(article), text=new_text)

    article.refresh_from_db()
    assert article.extraction_status == Article.Status.DONE
    candidates = CandidateClaim.objects.filter(article=article)
    assert candidates.exists()
    for candidate in candidates:
        assert new_text[candidate.start : candidate.end] == candidate.text


def test_it_lets_only_editors_correct_a_text(article: Article, dave: User, mallory: User) -> None:
    with pytest.raises(PermissionDenied):
        article_revise(user=dave, article=article, version=_version(article), text="Autre texte.")
    with pytest.raises(Http404):
        article_revise(
            user=mallory, article=article, version=_version(article), text="Autre texte."
        )
    article.refresh_from_db()
    assert article.text == FRENCH_TEXT
    assert not ArticleRevision.objects.exists()


def test_a_correction_based_on_an_older_version_is_refused_and_loses_nothing(
    article: Article, alice: User
) -> None:
    read_by_both = _version(article)
    first = "Préambule.\n" + FRENCH_TEXT
    outcome = article_revise(user=alice, article=article, version=read_by_both, text=first)
    assert outcome.article.version == read_by_both + 1

    with pytest.raises(StaleVersion) as stale:
        article_revise(user=alice, article=article, version=read_by_both, text="Autre.\n" + first)

    assert stale.value.current_version == read_by_both + 1
    article.refresh_from_db()
    assert article.text == first  # the first correction stands, nothing half-written
    assert ArticleRevision.objects.filter(article=article).count() == 1


def test_every_change_of_the_details_bumps_the_version(article: Article, alice: User) -> None:
    article_update(user=alice, article=article, title="Emploi")
    assert _version(article) == 2
    article_update(user=alice, article=article, title="Emploi")  # nothing changed
    assert _version(article) == 2

    with pytest.raises(StaleVersion):
        article_update(user=alice, article=article, version=1, publisher="Insee")
    updated = article_update(user=alice, article=article, version=2, publisher="Insee")

    assert (updated.version, updated.title, updated.publisher) == (3, "Emploi", "Insee")


@pytest.mark.parametrize(
    ("text", "message"),
    [("  \n ", "no text"), (FRENCH_TEXT, "same as the current")],
)
def test_it_refuses_an_empty_or_unchanged_text(
    article: Article, alice: User, text: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        article_revise(user=alice, article=article, version=_version(article), text=text)
    assert message in error.value.message_dict["text"][0]
    assert not ArticleRevision.objects.exists()


# --- Many random corrections through the service -----------------------------------------------

# No combining marks: NFC would merge them with a neighbour and move the edit's boundaries.
ALPHABET = "abcdeéè«»🙂 \n,.'0123456789"
edits = st.lists(
    st.tuples(st.floats(0, 1), st.integers(0, 12), st.text(alphabet=ALPHABET, max_size=10)),
    min_size=1,
    max_size=6,
)


def _disjoint_spans(text: str, cuts: list[float]) -> list[tuple[int, int]]:
    points = sorted({int(c * len(text)) for c in cuts})
    spans = []
    for start, end in zip(points[::2], points[1::2], strict=False):
        if end > start and text[start:end].strip():
            spans.append((start, end))
    return spans


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cuts=st.lists(st.floats(0, 1), min_size=2, max_size=10), corrections=edits)
def test_it_keeps_every_span_valid_or_orphaned_through_many_corrections(
    workspace: Workspace,
    alice: User,
    bob: User,
    cuts: list[float],
    corrections: list[tuple[float, int, str]],
) -> None:
    # Hypothesis's examples share the test's database: each adds one more copy of the text.
    article = article_create(
        user=alice, workspace=workspace, text=FRENCH_TEXT, allow_duplicate=True
    )
    claims = [
        claim_create(user=bob, article=article, start=start, end=end).claim
        for start, end in _disjoint_spans(FRENCH_TEXT, cuts)
    ]
    text = FRENCH_TEXT
    history = [text]
    for where, removed, inserted in corrections:
        position = int(where * len(text))
        new_text = text[:position] + inserted + text[position + removed :]
        if not new_text.strip() or new_text == text:
            continue
        before = {c.pk: (c.start, c.end, c.exact) for c in Claim.objects.filter(article=article)}

        article_revise(user=alice, article=article, version=_version(article), text=new_text)

        text = new_text
        history.append(text)
        for claim in Claim.objects.filter(article=article):
            if claim.orphaned:
                assert (claim.start, claim.end) == (None, None)
                continue
            _assert_well_placed(text, claim)
            old_start, old_end, old_exact = before[claim.pk]
            if old_start is None or old_end is None:
                continue  # an orphan placed again by its quote
            if position + removed <= old_start or position >= old_end:
                # An edit elsewhere never changes what a claim quotes.
                assert claim.exact == old_exact
                if text.count(old_exact) == 1:
                    shift = len(inserted) - removed if position + removed <= old_start else 0
                    assert claim.start == old_start + shift
        for highlight in Highlight.objects.filter(article=article):
            if highlight.orphaned:
                assert highlight.start is None
            else:
                _assert_well_placed(text, highlight)

    article.refresh_from_db()
    assert article.text == text
    assert article.revision == len(history)
    assert Claim.objects.filter(article=article).count() == len(claims)
    assert Highlight.objects.filter(article=article).count() == len(claims)
    kept = dict(ArticleRevision.objects.filter(article=article).values_list("number", "text"))
    assert kept == dict(enumerate(history[:-1], start=1))
