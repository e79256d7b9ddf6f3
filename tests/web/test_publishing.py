"""Publishing in the pages: the editor publishes a resolved claim with the desk's own article,
corrects or unpublishes it; a published claim's page carries the same ClaimReview as the export,
is public only with public claim pages on, and the feed lists what is public."""

from __future__ import annotations

import json
import re
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.test import Client

from annotations.middleware import STRICT, image_origin
from annotations.models import Article, Claim, ClaimEvent, Workspace
from annotations.services.adjudications import adjudication_create
from annotations.services.claims import claim_create
from annotations.services.publishing import claim_publish
from annotations.services.workspaces import workspace_update
from tests.export_desk import streamed

LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _ld(html: str) -> dict[str, Any]:
    [found] = LD.findall(html)
    document: dict[str, Any] = json.loads(found)
    return document


def _resolved(claim: Claim, dave: User) -> Claim:
    adjudication_create(user=dave, claim=claim, verdict="mostly-false", note="DESK-NOTE-Q7")
    claim.refresh_from_db()
    return claim


def _export(alice: User, workspace: Workspace) -> list[dict[str, Any]]:
    response = _client(alice).get(
        f"/api/v1/workspaces/{workspace.pk}/export/",
        {"format": "claimreview", "status": "published"},
    )
    reviews: list[dict[str, Any]] = json.loads(streamed(response))
    return reviews


def test_it_publishes_from_the_claim_page_with_the_desks_article_as_the_claimreview_url(
    workspace: Workspace, claim: Claim, alice: User, dave: User
) -> None:
    _resolved(claim, dave)
    client = _client(alice)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert 'data-form="publish"' in page and "application/ld+json" not in page

    published = client.post(
        f"/claims/{claim.pk}/",
        {
            "action": "publish",
            "publish-review_url": "https://verif.example/chomage-t3",
            "publish-review_published_at": "2026-11-30",
        },
    )
    assert published.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.review_url) == ("published", "https://verif.example/chomage-t3")
    assert claim.published_at is not None

    page = client.get(f"/claims/{claim.pk}/").content.decode()
    document = _ld(page)
    assert '<link rel="canonical" href="https://verif.example/chomage-t3">' in page
    # One builder: the page's document is the export's.
    assert _export(alice, workspace) == [document]
    assert document["url"] == "https://verif.example/chomage-t3"
    assert document["datePublished"] == "2026-11-30"
    assert document["reviewRating"]["alternateName"] == "Mostly false"


def test_it_gives_the_claim_page_as_the_url_without_a_desk_article(
    workspace: Workspace, claim: Claim, alice: User, dave: User, settings: Any
) -> None:
    settings.SITE_URL = "https://workbench.example"
    claim_publish(user=alice, claim=_resolved(claim, dave))
    [review] = _export(alice, workspace)
    assert review["url"] == f"https://workbench.example/claims/{claim.pk}/"
    assert "canonical" not in _client(alice).get(f"/claims/{claim.pk}/").content.decode()


def test_it_shows_a_published_claim_to_the_public_only_with_public_pages_on(
    workspace: Workspace, claim: Claim, alice: User, dave: User, mallory: User
) -> None:
    url = f"/claims/{claim.pk}/"
    _resolved(claim, dave)
    assert _client(None).get(url).status_code == 302  # not published: sign in
    claim_publish(user=alice, claim=claim)
    assert _client(None).get(url).status_code == 302  # public pages off
    assert _client(mallory).get(url).status_code == 404

    workspace_update(user=alice, workspace=workspace, public_claim_pages=True)
    public = _client(None).get(url)
    html = public.content.decode()
    assert public.status_code == 200
    assert "Mostly false" in html and claim.exact in html
    assert _ld(html)["@type"] == "ClaimReview"
    assert "DESK-NOTE-Q7" not in html  # the adjudicator's note is the desk's, not the public's
    assert _client(mallory).get(url).status_code == 200
    assert _client(None).post(url, {"action": "unpublish"}).status_code == 302


def test_it_corrects_and_unpublishes_with_what_readers_and_the_history_are_told(
    workspace: Workspace, claim: Claim, alice: User, dave: User, bob: User
) -> None:
    workspace_update(user=alice, workspace=workspace, public_claim_pages=True)
    claim_publish(user=alice, claim=_resolved(claim, dave))
    client = _client(alice)
    url = f"/claims/{claim.pk}/"

    empty = client.post(url, {"action": "correct", "correct-verdict": "false", "correct-note": ""})
    assert empty.status_code == 400
    corrected = client.post(
        url,
        {
            "action": "correct",
            "correct-verdict": "false",
            "correct-note": "Insee revised its figure.",
        },
    )
    assert corrected.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.final_verdict and claim.final_verdict.slug) == (
        "published",
        "false",
    )
    public = _client(None).get(url).content.decode()
    assert "Insee revised its figure." in public and "dateModified" in _ld(public)

    assert client.post(url, {"action": "unpublish", "unpublish-reason": ""}).status_code == 400
    assert (
        client.post(
            url, {"action": "unpublish", "unpublish-reason": "Under review again."}
        ).status_code
        == 302
    )
    claim.refresh_from_db()
    assert claim.status == "resolved"
    assert _client(None).get(url).status_code == 302
    kinds = list(ClaimEvent.objects.filter(claim=claim).values_list("kind", flat=True))
    assert "corrected" in kinds
    # Only editors publish.
    assert (
        _client(bob).post(url, {"action": "unpublish", "unpublish-reason": "x"}).status_code == 403
    )


def test_it_feeds_the_public_claims_with_an_etag(
    workspace: Workspace, claim: Claim, alice: User, dave: User
) -> None:
    url = f"/workspaces/{workspace.pk}/claimreviews.json"
    assert _client(None).get(url).status_code == 404
    workspace_update(user=alice, workspace=workspace, public_claim_pages=True)
    assert json.loads(_client(None).get(url).content)["dataFeedElement"] == []
    claim_publish(user=alice, claim=_resolved(claim, dave))

    first = _client(None).get(url)
    again = _client(None).get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    feed = json.loads(first.content)
    assert [r["claimReviewed"] for r in feed["dataFeedElement"]] == [claim.exact]
    assert again.status_code == 304


def test_it_publishes_the_ticked_claims_of_the_ready_to_publish_queue(
    workspace: Workspace, article: Article, alice: User, bob: User, dave: User
) -> None:
    made = [
        claim_create(user=bob, article=article, start=start, end=end).claim
        for start, end in ((0, 10), (20, 30), (40, 50))
    ]
    first, second, left = (_resolved(claim, dave) for claim in made)
    client = _client(alice)
    queue = client.get(f"/queues/?queue=ready_to_publish&workspace={workspace.pk}")
    html = queue.content.decode()
    assert 'action="/queues/publish/"' in html
    assert all(f'name="claims" value="{claim.pk}"' in html for claim in made)

    back = f"/queues/?queue=ready_to_publish&workspace={workspace.pk}"
    done = client.post(
        "/queues/publish/",
        {
            "claims": [first.pk, second.pk],
            "review_url": "https://desk.example/2026/12/jobs",
            "review_published_at": "2026-12-01",
            "next": back,
        },
        follow=True,
    )
    assert done.redirect_chain[-1][0] == back
    assert "2 claims published." in done.content.decode()
    for claim in (first, second):
        claim.refresh_from_db()
        assert claim.status == Claim.Status.PUBLISHED
        assert claim.review_url == "https://desk.example/2026/12/jobs"
    left.refresh_from_db()
    assert left.status == Claim.Status.RESOLVED
    assert f'value="{left.pk}"' in done.content.decode()  # still waiting in the queue


def test_publishing_from_the_queue_names_what_is_wrong_and_publishes_nothing(
    workspace: Workspace, claim: Claim, alice: User, bob: User, dave: User
) -> None:
    _resolved(claim, dave)
    nothing = _client(alice).post("/queues/publish/", {}, follow=True).content.decode()
    assert "Tick the claims to publish." in nothing
    bad = _client(alice).post(
        "/queues/publish/", {"claims": [claim.pk], "review_url": "not a url"}, follow=True
    )
    assert "Enter a valid URL." in bad.content.decode()
    # A reviewer may not publish: refused, and the claim stays resolved.
    assert _client(bob).post("/queues/publish/", {"claims": [claim.pk]}).status_code == 403
    # Elsewhere a redirect goes back to the queue, never to another site.
    away = _client(alice).post("/queues/publish/", {"next": "https://evil.example/"})
    assert away["Location"] == "/queues/?queue=ready_to_publish"
    claim.refresh_from_db()
    assert claim.status == Claim.Status.RESOLVED


def _messages(html: str) -> list[str]:
    box = re.search(r'<div class="messages" role="status">(.*?)</div>', html, re.S)
    return re.findall(r'<p class="alert error">(.*?)</p>', box.group(1)) if box else []


def test_a_refused_publishing_action_says_why_at_the_top_whatever_the_form(
    workspace: Workspace, claim: Claim, alice: User, dave: User
) -> None:
    client = _client(alice)
    url = f"/claims/{claim.pk}/"
    # Publishing an open claim: the page shows no publishing form at all.
    early = client.post(url, {"action": "publish"})
    assert early.status_code == 400
    assert _messages(early.content.decode()) == [
        "Only a resolved claim can be published; this one is open."
    ]

    claim_publish(user=alice, claim=_resolved(claim, dave))
    # Two tabs: unpublished in one, then "Unpublish" and "Correct" pressed in the other.
    reason = {"action": "unpublish", "unpublish-reason": "Under review again."}
    assert client.post(url, reason).status_code == 302
    twice = client.post(url, reason)
    assert twice.status_code == 400
    assert _messages(twice.content.decode()) == ["This claim is not published."]
    late = client.post(
        url, {"action": "correct", "correct-verdict": "false", "correct-note": "Revised."}
    )
    assert late.status_code == 400
    assert _messages(late.content.decode()) == [
        "Only a published claim is corrected; adjudicate it instead."
    ]
    # A field's error of a form not shown is said with its field's name.
    empty = client.post(url, {"action": "unpublish", "unpublish-reason": ""})
    assert _messages(empty.content.decode()) == ["Why it is unpublished: This field is required."]
    # The form on the page keeps its errors in place (not repeated at the top).
    bad = client.post(url, {"action": "publish", "publish-review_url": "not a url"})
    html = bad.content.decode()
    assert bad.status_code == 400 and _messages(html) == [] and "Enter a valid URL." in html


@pytest.mark.parametrize("action", ["bogus", ""])
def test_an_unknown_publishing_action_is_a_bad_request_that_says_so(
    claim: Claim, alice: User, action: str
) -> None:
    response = _client(alice).post(f"/claims/{claim.pk}/", {"action": action})
    assert response.status_code == 400
    assert _messages(response.content.decode()) == ["Unknown action."]


def test_the_public_page_allows_the_organisations_logo_from_its_origin_only(
    workspace: Workspace, claim: Claim, alice: User, dave: User
) -> None:
    claim_publish(user=alice, claim=_resolved(claim, dave))
    workspace_update(
        user=alice,
        workspace=workspace,
        public_claim_pages=True,
        organisation_logo="https://cdn.verif.example:8443/brand/logo.svg?v=2",
    )
    url = f"/claims/{claim.pk}/"
    public = _client(None).get(url)
    assert public.status_code == 200
    assert 'src="https://cdn.verif.example:8443/brand/logo.svg?v=2"' in public.content.decode()
    directives = dict(
        part.strip().split(" ", 1) for part in public["Content-Security-Policy"].split(";")
    )
    assert directives["img-src"] == "'self' data: https://cdn.verif.example:8443"
    assert public["Content-Security-Policy"] == STRICT.replace(
        "img-src 'self' data:", "img-src 'self' data: https://cdn.verif.example:8443"
    )
    # Elsewhere the policy stays strict, the member's page of the same claim included.
    assert _client(alice).get(url)["Content-Security-Policy"] == STRICT
    assert _client(alice).get("/")["Content-Security-Policy"] == STRICT


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://cdn.example.org/logo.png", "https://cdn.example.org"),
        ("http://Example.ORG:8080/a.png", "http://example.org:8080"),
        ("https://bücher.example/logo.png", "https://xn--bcher-kva.example"),
        ("https://[2001:db8::1]/logo.png", "https://[2001:db8::1]"),
        ("ftp://example.org/logo.png", None),
        ("https://example.org:99999/logo.png", None),
        ("https://exa;mple.org/logo.png", None),
        ("data:image/png;base64,AAAA", None),
        ("", None),
    ],
)
def test_only_an_http_origin_goes_into_the_image_policy(url: str, origin: str | None) -> None:
    assert image_origin(url) == origin


def test_the_feed_answers_head_and_if_none_match_any_and_pages_on_the_sites_address(
    workspace: Workspace, article: Article, alice: User, bob: User, dave: User, settings: Any
) -> None:
    settings.SITE_URL = "https://workbench.example"
    workspace_update(user=alice, workspace=workspace, public_claim_pages=True)
    for start, end in ((0, 10), (20, 30)):
        made = claim_create(user=bob, article=article, start=start, end=end).claim
        claim_publish(user=alice, claim=_resolved(made, dave))
    url = f"/workspaces/{workspace.pk}/claimreviews.json"
    with mock.patch("annotations.web.claims.FEED_PAGE", 1):
        first = _client(None).get(url, HTTP_HOST="localhost:8000")
        head = _client(None).head(url)
        anything = _client(None).get(url, HTTP_IF_NONE_MATCH="*")
    feed = json.loads(first.content)
    assert feed["nextPage"] == f"https://workbench.example{url}?page=2"
    assert head.status_code == 200 and head["ETag"] == first["ETag"] and head.content == b""
    assert anything.status_code == 304 and anything["ETag"] == first["ETag"]
    # No feed (public pages off): still a 404, whatever the condition.
    workspace_update(user=alice, workspace=workspace, public_claim_pages=False)
    assert _client(None).get(url, HTTP_IF_NONE_MATCH="*").status_code == 404


def test_the_public_claim_page_answers_head(
    workspace: Workspace, claim: Claim, alice: User, dave: User
) -> None:
    claim_publish(user=alice, claim=_resolved(claim, dave))
    workspace_update(user=alice, workspace=workspace, public_claim_pages=True)
    head = _client(None).head(f"/claims/{claim.pk}/")
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Type"].startswith("text/html")
    assert _client(alice).head(f"/claims/{claim.pk}/").status_code == 200
