"""The same claim across articles: clusters formed from the registry's matches, merged and split by
editors, read as blind review allows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from annotations.events import describe_event
from annotations.models import (
    Article,
    Claim,
    ClaimCluster,
    ClaimEvent,
    ClaimKeptApart,
    ClaimMatch,
    Workspace,
)
from annotations.services.adjudications import adjudication_create
from annotations.services.articles import article_create
from annotations.services.assessments import assessment_create
from annotations.services.claims import claim_create
from annotations.services.clusters import cluster_split, clusters_merge, clusters_refresh_for
from annotations.services.workspaces import workspace_create, workspace_update

CHECKED = "Le chômage a reculé de 0,3 point au troisième trimestre, selon l'Insee."
REPEATED = (
    "Le gouvernement se félicite des derniers chiffres. "
    "Le chômage a reculé de 0,3 point au troisième trimestre, d'après l'Insee. "
    "La ministre doit s'exprimer jeudi à Lyon devant les préfets de région."
)
SAME = "Le chômage a reculé de 0,3 point au troisième trimestre, d'après l'Insee."
OTHER_TEXT = "La ministre a promis 200 nouvelles crèches à Vernac d'ici à la fin de 2027."


def _article(workspace: Workspace, user: User, text: str, title: str) -> Article:
    return article_create(user=user, workspace=workspace, text=text, title=title, language="fr")


def _claim(user: User, article: Article, quote: str = "") -> Claim:
    quote = quote or article.text
    start = article.text.index(quote)
    return claim_create(user=user, article=article, start=start, end=start + len(quote)).claim


def _match(claim: Claim, other: Claim, score: float = 0.9) -> None:
    ClaimMatch.objects.create(claim=claim, matched_claim=other, score=score, method="embedding")


def _cluster(claim: Claim) -> int | None:
    return Claim.all_objects.values_list("cluster_id", flat=True).get(pk=claim.pk)


def _kinds(claim: Claim) -> list[str]:
    return list(
        ClaimEvent.objects.filter(claim=claim, kind__startswith="cluster_")
        .order_by("id")
        .values_list("kind", flat=True)
    )


@pytest.fixture
def three(workspace: Workspace, alice: User, bob: User) -> list[Claim]:
    """The same invented claim in three articles of the desk, and nothing grouped yet."""
    texts = [
        ("Vernac, the mayor's promise", OTHER_TEXT),
        ("Crèches: the minister in Vernac", OTHER_TEXT.replace("a promis", "promet")),
        ("Budget 2027 of Vernac", OTHER_TEXT.replace("nouvelles ", "")),
    ]
    return [_claim(bob, _article(workspace, alice, text, title)) for title, text in texts]


# --- Grouping from the registry's matches --------------------------------------------------------


def test_a_new_claim_joins_the_checked_claim_it_repeats_through_the_tasks(
    workspace: Workspace,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    api: Callable[[User | None], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    first = _article(workspace, alice, f"Chiffres du jour. {CHECKED} Suite jeudi.", "Chômage")
    with django_capture_on_commit_callbacks(execute=True):
        checked = _claim(bob, first, CHECKED)
    with django_capture_on_commit_callbacks(execute=True):
        adjudication_create(user=dave, claim=checked, verdict="mostly-true")
    assert _cluster(checked) is None  # nothing says the same yet

    second = _article(workspace, alice, REPEATED, "Le gouvernement se félicite")
    with django_capture_on_commit_callbacks(execute=True):
        repeated = _claim(carol, second, SAME)

    assert _cluster(repeated) is not None and _cluster(repeated) == _cluster(checked)
    body = api(alice).get(f"/api/v1/claims/{repeated.pk}/cluster/").json()
    assert body["cluster"] == _cluster(checked)
    assert [
        (c["claim"], c["article_title"], c["status"], c["verdict"]) for c in body["claims"]
    ] == [(checked.pk, "Chômage", "resolved", "mostly-true")]
    assert body["claims"][0]["verdict_name"] == "Mostly true"
    # Automatic, and said so in both claims' histories, without naming the other claim.
    for claim in (checked, repeated):
        event = ClaimEvent.objects.get(claim=claim, kind="cluster_grouped")
        assert event.actor is None and set(event.after or {}) == {"cluster"}
        assert describe_event(event, verdicts={}) == (
            "Grouped automatically with the same claim in other articles."
        )


def test_an_earlier_claim_is_grouped_when_the_claim_it_repeats_is_settled(
    workspace: Workspace,
    alice: User,
    bob: User,
    dave: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    second = _article(workspace, alice, REPEATED, "Le gouvernement se félicite")
    with django_capture_on_commit_callbacks(execute=True):
        earlier = _claim(bob, second, SAME)
    first = _article(workspace, alice, f"Chiffres du jour. {CHECKED} Suite jeudi.", "Chômage")
    with django_capture_on_commit_callbacks(execute=True):
        later = _claim(bob, first, CHECKED)
    assert _cluster(earlier) is None and _cluster(later) is None
    with django_capture_on_commit_callbacks(execute=True):
        adjudication_create(user=dave, claim=later, verdict="false")
    assert _cluster(earlier) is not None and _cluster(earlier) == _cluster(later)


def test_refresh_joins_clusters_in_either_direction_and_only_above_the_threshold(
    three: list[Claim], workspace: Workspace, alice: User, mallory: User
) -> None:
    a, b, c = three
    _match(a, b)
    change = clusters_refresh_for(a.pk)
    assert change.cluster_id is not None and set(change.moved) == {a.pk, b.pk}
    assert _cluster(a) == _cluster(b) == change.cluster_id
    # c is matched by b the other way round: c joins the same cluster, nothing new is made.
    _match(c, b, 0.8)
    assert clusters_refresh_for(b.pk).moved == (c.pk,)
    assert _cluster(c) == change.cluster_id
    assert ClaimCluster.objects.count() == 1
    # Idempotent: a second refresh moves nothing and writes no event.
    events = ClaimEvent.objects.count()
    assert clusters_refresh_for(c.pk).moved == ()
    assert ClaimEvent.objects.count() == events

    # A match under the model's threshold is not the same claim.
    weak = _claim(alice, _article(workspace, alice, f"{OTHER_TEXT} (Weak)", "Weak"))
    _match(weak, a, 0.2)
    assert clusters_refresh_for(weak.pk).moved == ()
    assert _cluster(weak) is None
    # Two clusters found to say the same become one, the oldest kept.
    d, e = (_claim(alice, _article(workspace, alice, f"{OTHER_TEXT} ({t})", t)) for t in ("D", "E"))
    _match(d, e)
    newer = clusters_refresh_for(d.pk).cluster_id
    _match(e, c)
    clusters_refresh_for(e.pk)
    assert {_cluster(x) for x in (a, b, c, d, e)} == {change.cluster_id}
    assert newer is not None and not ClaimCluster.objects.filter(pk=newer).exists()


def test_a_match_with_a_claim_of_another_workspace_groups_nothing(
    three: list[Claim], mallory: User
) -> None:
    theirs = workspace_create(user=mallory, name="Elsewhere")
    outside = _claim(mallory, _article(theirs, mallory, f"{OTHER_TEXT} (Elsewhere)", "Elsewhere"))
    _match(three[0], outside)
    assert clusters_refresh_for(three[0].pk).moved == ()
    assert _cluster(three[0]) is None and _cluster(outside) is None


# --- Editors: merge and split --------------------------------------------------------------------


def test_a_split_is_remembered_until_an_editor_merges_again(
    three: list[Claim], workspace: Workspace, alice: User, bob: User
) -> None:
    a, b, c = three
    _match(a, b)
    _match(c, a)
    clusters_refresh_for(a.pk)
    group = _cluster(a)
    assert _cluster(b) == _cluster(c) == group

    cluster_split(user=alice, claim=b)
    assert _cluster(b) not in (None, group) and _cluster(a) == _cluster(c) == group
    assert set(ClaimKeptApart.objects.values_list("claim_id", "other_id")) == {
        (min(a.pk, b.pk), max(a.pk, b.pk)),
        (min(b.pk, c.pk), max(b.pk, c.pk)),
    }
    # Later refreshes, from either side, do not pull it back...
    for claim in (a, b, c):
        clusters_refresh_for(claim.pk)
    assert _cluster(b) != group
    # ...nor does a new claim that matches both: it joins one side only.
    d = _claim(alice, _article(workspace, alice, f"{OTHER_TEXT} (D)", "D"))
    _match(d, a, 0.95)
    _match(d, b, 0.9)
    clusters_refresh_for(d.pk)
    assert _cluster(d) == group and _cluster(b) != group

    # An editor's merge brings it back and forgets the pairs it overrides.
    clusters_merge(user=alice, claim_a=b, claim_b=a)
    assert {_cluster(x) for x in (a, b, c, d)} == {_cluster(a)}
    assert not ClaimKeptApart.objects.exists()
    with pytest.raises(ValidationError):
        cluster_split(
            user=alice, claim=_claim(alice, _article(workspace, alice, f"{OTHER_TEXT} (F)", "F"))
        )


def test_merge_and_split_are_in_the_history_as_sentences(
    three: list[Claim], alice: User, bob: User, api: Callable[[User | None], APIClient]
) -> None:
    a, b, c = three
    clusters_merge(user=alice, claim_a=a, claim_b=b)
    clusters_merge(user=alice, claim_a=c, claim_b=a)
    assert _kinds(a) == ["cluster_merged", "cluster_merged"]
    merged = ClaimEvent.objects.filter(claim=b, kind="cluster_merged").get()
    assert merged.actor == alice and (merged.after or {})["claim"] == a.pk
    assert describe_event(merged, verdicts={}) == (
        f"alice grouped this claim with claim {a.pk}: they are the same claim."
    )
    cluster_split(user=alice, claim=c)
    split = ClaimEvent.objects.get(claim=c, kind="cluster_split")
    assert describe_event(split, verdicts={}) == (
        f"alice split this claim off from its group (claims {a.pk}, {b.pk}): it is not grouped "
        "with them again automatically."
    )
    left = ClaimEvent.objects.get(claim=a, kind="cluster_left")
    assert describe_event(left, verdicts={}) == f"alice split claim {c.pk} off from this group."
    history = api(alice).get(f"/api/v1/claims/{c.pk}/history/").json()
    rows = history if isinstance(history, list) else history["results"]
    assert "cluster_split" in {row["kind"] for row in rows}
    page = Client()
    page.force_login(alice)
    text = page.get(f"/claims/{a.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"alice split claim {c.pk} off from this group." in text


def test_only_editors_merge_or_split(
    three: list[Claim],
    alice: User,
    bob: User,
    dave: User,
    erin: User,
    api: Callable[[User | None], APIClient],
) -> None:
    a, b, _c = three
    for user in (erin, bob, dave):
        with pytest.raises(PermissionDenied):
            clusters_merge(user=user, claim_a=a, claim_b=b)
        merge = api(user).post(f"/api/v1/claims/{a.pk}/cluster/merge/", {"claim": b.pk})
        assert merge.status_code == 403, merge.content
        assert api(user).post(f"/api/v1/claims/{a.pk}/cluster/split/").status_code == 403
        page = Client()
        page.force_login(user)
        answer = page.post(f"/claims/{a.pk}/", {"action": "cluster_merge", "claim": b.pk})
        assert answer.status_code == 403
    assert _cluster(a) is None and _cluster(b) is None

    merged = api(alice).post(
        f"/api/v1/claims/{a.pk}/cluster/merge/", {"claim": b.pk}, format="json"
    )
    assert merged.status_code == 200, merged.content
    assert [c["claim"] for c in merged.json()["claims"]] == [b.pk]
    split = api(alice).post(f"/api/v1/claims/{b.pk}/cluster/split/")
    assert split.status_code == 200 and split.json()["claims"] == []
    # Nothing left to split from: a 400 that says why.
    again = api(alice).post(f"/api/v1/claims/{b.pk}/cluster/split/")
    assert again.status_code == 400 and "not grouped" in str(again.json())


def test_a_merge_names_the_field_when_the_other_claim_is_wrong(
    three: list[Claim], alice: User, mallory: User, api: Callable[[User | None], APIClient]
) -> None:
    a = three[0]
    mine = workspace_create(user=alice, name="Another desk of alice")
    elsewhere = _claim(alice, _article(mine, alice, f"{OTHER_TEXT} (Elsewhere)", "Elsewhere"))
    theirs = workspace_create(user=mallory, name="Mallory's")
    hidden = _claim(mallory, _article(theirs, mallory, f"{OTHER_TEXT} (Hidden)", "Hidden"))
    with pytest.raises(ValidationError) as refused:
        clusters_merge(user=alice, claim_a=a, claim_b=elsewhere)
    assert "claim" in refused.value.message_dict

    url = f"/api/v1/claims/{a.pk}/cluster/merge/"
    for body in (
        {"claim": elsewhere.pk},
        {"claim": hidden.pk},
        {"claim": a.pk},
        {"claim": "abc"},
        {"claim": 2**70},
        {},
    ):
        answer = api(alice).post(url, body, format="json")
        assert answer.status_code == 400, (body, answer.content)
        assert "claim" in answer.json(), body
    assert _cluster(a) is None and _cluster(elsewhere) is None and _cluster(hidden) is None
    # An unknown claim in the address is a 404.
    assert (
        api(alice).post("/api/v1/claims/999999999/cluster/merge/", {"claim": a.pk}).status_code
        == 404
    )


# --- Reads: blind review and the claim's page ----------------------------------------------------


def test_a_blind_reviewer_sees_only_the_cluster_members_whose_review_she_may_see(
    three: list[Claim],
    workspace: Workspace,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    erin: User,
    api: Callable[[User | None], APIClient],
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    a, b, _c = three
    adjudication_create(user=dave, claim=a, verdict="false", note="Checked.")
    clusters_merge(user=alice, claim_a=a, claim_b=b)

    def seen(user: User, claim: Claim) -> tuple[int | None, list[tuple[int, str, str | None]]]:
        body = api(user).get(f"/api/v1/claims/{claim.pk}/cluster/").json()
        return body["cluster"], [(c["claim"], c["status"], c["verdict"]) for c in body["claims"]]

    # Carol assessed neither: being grouped would tell her that one was checked.
    assert seen(carol, b) == (None, [])
    assert seen(carol, a) == (None, [])
    page = Client()
    page.force_login(carol)
    text = page.get(f"/claims/{b.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-section="cluster"' not in text and "False" not in text
    # Her verdict on b unlocks b, not a (resolved, which she has not assessed).
    assessment_create(user=carol, claim=b, verdict="true")
    assert seen(carol, b) == (None, [])
    assessment_create(user=carol, claim=a, verdict="false")
    assert seen(carol, b) == (_cluster(b), [(a.pk, "resolved", "false")])
    # An annotator sees statuses, and verdicts once published; the editor sees everything.
    assert seen(erin, b) == (_cluster(b), [(a.pk, "resolved", None)])
    assert seen(alice, b) == (_cluster(b), [(a.pk, "resolved", "false")])
    annotator = Client()
    annotator.force_login(erin)
    html = annotator.get(f"/claims/{b.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-section="cluster"' in html and f'data-cluster-claim="{a.pk}"' in html


def test_the_page_shows_the_card_to_all_and_the_buttons_to_editors(
    three: list[Claim],
    alice: User,
    bob: User,
    dave: User,
) -> None:
    a, b, c = three
    adjudication_create(user=dave, claim=c, verdict="false", note="Checked.")
    _match(a, c)  # already checked, not grouped: the editor may group them
    clusters_merge(user=alice, claim_a=a, claim_b=b)

    def page(user: User) -> str:
        client = Client()
        client.force_login(user)
        answer = client.get(f"/claims/{a.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        assert answer.status_code == 200
        return answer.content.decode()

    editor, reviewer = page(alice), page(bob)
    for html in (editor, reviewer):
        assert "Same claim in other articles" in html
        assert f'data-cluster-claim="{b.pk}"' in html and "Crèches: the minister in Vernac" in html
    assert 'data-form="cluster-split"' in editor and "Split off from this group" in editor
    assert 'data-form="cluster-merge"' in editor and "Same claim: group them" in editor
    assert (
        'data-form="cluster-split"' not in reviewer and 'data-form="cluster-merge"' not in reviewer
    )

    client = Client()
    client.force_login(alice)
    grouped = client.post(f"/claims/{a.pk}/", {"action": "cluster_merge", "claim": c.pk})
    assert grouped.status_code == 302 and _cluster(c) == _cluster(a)
    after = client.get(f"/claims/{a.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-form="cluster-merge"' not in after  # c is in the group now
    # Bad input is said on the page, never a 500.
    for data, said in (
        ({"claim": "x"}, "Claim: Enter a whole number."),
        ({"claim": 999999999}, "No such claim in your workspaces."),
        ({"claim": a.pk}, "Choose another claim than this one."),
    ):
        wrong = client.post(
            f"/claims/{a.pk}/", {"action": "cluster_merge", **data}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert wrong.status_code == 400 and said in wrong.content.decode(), data
    split = client.post(f"/claims/{a.pk}/", {"action": "cluster_split"})
    assert split.status_code == 302 and _cluster(a) not in (_cluster(b), None)
    lonely = client.post(f"/claims/{a.pk}/", {"action": "cluster_split"}, HTTP_ACCEPT_LANGUAGE="en")
    assert lonely.status_code == 400
    assert "This claim is not grouped with any other claim." in lonely.content.decode()
