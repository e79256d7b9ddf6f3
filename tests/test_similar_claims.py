"""Finding the claims a desk has already checked that say the same as a new candidate or claim."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from annotations.models import Article, CandidateClaim, Claim, ClaimMatch, Workspace
from annotations.services.adjudications import adjudication_create
from annotations.services.articles import article_create
from annotations.services.claims import claim_create
from annotations.services.matching import final_claims, find_similar, find_similar_portable
from annotations.services.workspaces import workspace_create
from tests.conftest import results

CHECKED = "Le chômage a reculé de 0,3 point au troisième trimestre, selon l'Insee."
NEW_ARTICLE = (
    "Le gouvernement se félicite des derniers chiffres. "
    "Le chômage a reculé de 0,3 point au troisième trimestre, d'après l'Insee. "
    "La ministre doit s'exprimer jeudi à Lyon devant les préfets de région."
)


def _resolved(article: Article, bob: User, dave: User, quote: str, verdict: str) -> Claim:
    start = article.text.index(quote)
    claim = claim_create(user=bob, article=article, start=start, end=start + len(quote)).claim
    adjudication_create(user=dave, claim=claim, verdict=verdict, note="Vérifié.")
    return Claim.objects.get(pk=claim.pk)


def _new_article(
    workspace: Workspace,
    erin: User,
    capture: DjangoCaptureOnCommitCallbacks,
    text: str = NEW_ARTICLE,
) -> Article:
    with capture(execute=True):
        article = article_create(user=erin, workspace=workspace, text=text, language="fr")
    return Article.objects.get(pk=article.pk)


def test_it_shows_a_new_candidate_the_verdict_of_a_claim_already_checked(
    article: Article,
    workspace: Workspace,
    bob: User,
    dave: User,
    erin: User,
    api: Callable[[User | None], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    checked = _resolved(article, bob, dave, CHECKED, "mostly-true")
    fresh = _new_article(workspace, erin, django_capture_on_commit_callbacks)
    assert fresh.extraction_status == "done"

    listed = results(api(erin).get(f"/api/v1/articles/{fresh.pk}/candidates/"))
    same = next(c for c in listed if c["text"].startswith("Le chômage a reculé"))
    assert [m["claim"] for m in same["similar"]] == [checked.pk]
    match = same["similar"][0]
    assert match["verdict"] == "mostly-true" and match["verdict_name"] == "Mostly true"
    assert 0.55 <= match["score"] <= 1 and match["method"] == "embedding"
    assert match["exact"] == CHECKED and match["article"] == article.pk
    # The other sentences say something else: nothing is offered for them.
    assert all(not c["similar"] for c in listed if c["id"] != same["id"])
    candidate = CandidateClaim.objects.get(pk=same["id"])
    alone = api(erin).get(f"/api/v1/candidates/{candidate.pk}/similar/").json()
    assert [m["claim"] for m in alone] == [checked.pk]


def test_it_finds_what_a_new_claim_repeats_once_it_is_saved(
    article: Article,
    workspace: Workspace,
    bob: User,
    carol: User,
    dave: User,
    erin: User,
    api: Callable[[User | None], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    checked = _resolved(article, bob, dave, CHECKED, "false")
    fresh = _new_article(workspace, erin, django_capture_on_commit_callbacks)
    quote = "Le chômage a reculé de 0,3 point au troisième trimestre"
    start = fresh.text.index(quote)
    with django_capture_on_commit_callbacks(execute=True):
        created = api(carol).post(
            "/api/v1/claims/", {"article": fresh.pk, "start": start, "end": start + len(quote)}
        )
    assert created.status_code == 201, created.content
    claim_id = created.json()["id"]

    similar = api(carol).get(f"/api/v1/claims/{claim_id}/similar/").json()
    assert [(m["claim"], m["verdict"], m["status"]) for m in similar] == [
        (checked.pk, "false", "resolved")
    ]
    shown = api(carol).get(f"/api/v1/claims/{claim_id}/").json()["similar"]
    assert shown == similar
    # The claim already checked is not offered as its own look-alike.
    assert api(carol).get(f"/api/v1/claims/{checked.pk}/similar/").json() == []


def test_it_offers_only_claims_with_a_final_verdict_from_the_same_workspace(
    article: Article,
    workspace: Workspace,
    alice: User,
    bob: User,
    dave: User,
    erin: User,
    api: Callable[[User | None], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    start = article.text.index(CHECKED)
    # Open in this workspace: not checked yet.
    claim_create(user=bob, article=article, start=start, end=start + len(CHECKED))
    # Resolved, but in another desk.
    other = workspace_create(user=alice, name="Autre rédaction")
    elsewhere = article_create(user=alice, workspace=other, text=article.text, language="fr")
    claim = claim_create(user=alice, article=elsewhere, start=start, end=start + len(CHECKED))
    adjudication_create(user=alice, claim=claim.claim, verdict="true")

    fresh = _new_article(workspace, erin, django_capture_on_commit_callbacks)
    assert not ClaimMatch.objects.filter(candidate__article=fresh).exists()
    listed = results(api(erin).get(f"/api/v1/articles/{fresh.pk}/candidates/"))
    assert listed and all(c["similar"] == [] for c in listed)


def test_it_keeps_similar_claims_from_outsiders(
    article: Article,
    bob: User,
    dave: User,
    mallory: User,
    api: Callable[[User | None], APIClient],
) -> None:
    checked = _resolved(article, bob, dave, CHECKED, "true")
    assert api(mallory).get(f"/api/v1/claims/{checked.pk}/similar/").status_code == 404
    assert api(None).get(f"/api/v1/claims/{checked.pk}/similar/").status_code == 401


def test_it_finds_the_same_claims_by_words_without_an_embedding_model(
    article: Article, workspace: Workspace, bob: User, dave: User, settings: Any
) -> None:
    settings.EMBEDDING_MODEL = "none"
    checked = _resolved(article, bob, dave, CHECKED, "true")
    _resolved(
        article, bob, dave, "Une trentaine de départements restent au-dessus de 9 %.", "false"
    )
    texts = [
        "Le chômage a reculé de 0,3 point au troisième trimestre, d'après l'Insee.",
        "La ministre doit s'exprimer jeudi à Lyon devant les préfets de région.",
    ]
    portable = find_similar_portable(claims=final_claims(workspace_id=workspace.pk), texts=texts)
    trigram = find_similar(workspace_id=workspace.pk, texts=texts)
    assert [[m.claim_id for m in found] for found in portable] == [[checked.pk], []]
    assert [[m.claim_id for m in found] for found in trigram] == [[checked.pk], []]
    assert portable[0][0].method == "rapidfuzz" and 0.7 <= portable[0][0].score <= 1
    assert trigram[0][0].method == "trigram"


def test_it_reads_claims_with_their_look_alikes_in_a_fixed_number_of_queries(
    article: Article,
    workspace: Workspace,
    bob: User,
    carol: User,
    dave: User,
    erin: User,
    api: Callable[[User | None], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    _resolved(article, bob, dave, CHECKED, "true")
    sentence = "Le chômage a reculé de 0,3 point au troisième trimestre, d'après l'Insee. "
    counts = []
    for copies in (1, 12):
        fresh = _new_article(
            workspace, erin, django_capture_on_commit_callbacks, text=sentence * copies
        )
        with django_capture_on_commit_callbacks(execute=True):
            for index in range(copies):
                start = index * len(sentence)
                claim_create(user=carol, article=fresh, start=start, end=start + 60)
        assert ClaimMatch.objects.filter(claim__article=fresh).count() == copies
        client = api(carol)
        with CaptureQueriesContext(connection) as listing:
            listed = results(client.get("/api/v1/claims/", {"article": fresh.pk}))
        with CaptureQueriesContext(connection) as reading:
            detail = client.get(f"/api/v1/articles/{fresh.pk}/").json()
        with CaptureQueriesContext(connection) as candidates:
            client.get(f"/api/v1/articles/{fresh.pk}/candidates/")
        assert all(len(claim["similar"]) == 1 for claim in listed + detail["claims"])
        counts.append((len(listing), len(reading), len(candidates)))
    assert counts[0] == counts[1], counts


def test_it_looks_again_when_a_claim_is_reworded(
    article: Article,
    bob: User,
    carol: User,
    dave: User,
    api: Callable[[User | None], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    checked = _resolved(article, bob, dave, CHECKED, "half-true")
    quote = "L'opposition affirme que les chiffres sont « trompeurs »"
    start = article.text.index(quote)
    with django_capture_on_commit_callbacks(execute=True):
        claim = claim_create(user=carol, article=article, start=start, end=start + len(quote)).claim
    url = f"/api/v1/claims/{claim.pk}/"
    assert api(carol).get(url).json()["similar"] == []
    with django_capture_on_commit_callbacks(execute=True):
        response = api(carol).patch(
            url,
            {
                "version": claim.version,
                "normalised_text": "Le chômage n'a pas reculé de 0,3 point au troisième trimestre.",
            },
        )
    assert response.status_code == 200, response.content
    similar = api(carol).get(url).json()["similar"]
    assert [(m["claim"], m["verdict"]) for m in similar] == [(checked.pk, "half-true")]
