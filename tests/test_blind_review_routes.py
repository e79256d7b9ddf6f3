"""Blind review over every read route and page at once, from the URLconf and the OpenAPI schema.

Every route of the project is classified below: a read (with the concrete addresses to fetch),
a write (it must refuse GET), or exempt (with the reason). A route nobody classified fails the
first test, and so does a GET operation of the schema that no read covers, so that a new read
cannot skip the blind-review policy unnoticed.

The main test is differential: carol, a reviewer in a blind workspace, reads every address
before and after bob (another reviewer) and dave (the adjudicator) work on the claims she has not
assessed. Everything she gets must be the same, byte for byte (statuses, counts, versions, ETags,
filter and queue answers, histories, pages); only her own verdict changes that, for that claim.
The other roles are checked by what they must and must not see.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from pytest_django import DjangoCaptureOnCommitCallbacks

from annotations.models import Article, Claim, Workspace
from annotations.services.adjudications import adjudication_create
from annotations.services.articles import article_create
from annotations.services.assessments import assessment_create
from annotations.services.claims import claim_create
from annotations.services.comments import comment_create
from annotations.services.sources import claim_source_link
from annotations.services.workspaces import workspace_update
from tests.conftest import FRENCH_TEXT

RATIONALE = "RATIONALE-Q7-bob-saw-the-Insee-table"
TITLE = "TITLE-Q7-Chomage-au-T3"
NOTE = "NOTE-Q7-settled-on-Insee"
SHARED_URL = "https://www.insee.fr/fr/statistiques/chomage-q7"
BOBS_URL = "https://bobs-own-source-q7.example/table"
COMMENT = "COMMENT-Q7-bob-thinks-it-is-false"
SECRETS = (RATIONALE, TITLE, NOTE, "bobs-own-source-q7", COMMENT)

# --- Every route, classified ---------------------------------------------------------------------

# Reads: the addresses carol fetches (formatted with the scenario's ids).
READS: dict[str, list[str]] = {
    "home": ["/"],
    "workspace": ["/workspaces/{ws}/"],
    "article-add": ["/workspaces/{ws}/articles/new/"],
    "article": ["/articles/{article}/"],
    "claim": ["/claims/{c1}/", "/claims/{c2}/"],
    "claim-curate": ["/claims/{c1}/curate/"],
    "claimreview-feed": ["/workspaces/{ws}/claimreviews.json"],
    "dashboard": ["/workspaces/{ws}/dashboard/"],
    "search": [
        "/search/",
        "/search/?q=chomage",
        "/search/?q=Insee+table",
        "/search/?q=nous+emplois&kind=claims",
        "/search/?q=trentaine&kind=articles",
        "/search/?status=resolved",
        "/search/?status=awaiting_verdict&workspace={ws}",
    ],
    "exports": ["/workspaces/{ws}/exports/"],
    "export-download": ["/workspaces/{ws}/exports/download/?export-format=csv"],
    "desk-settings": ["/workspaces/{ws}/settings/"],
    "desk-members": ["/workspaces/{ws}/members/"],
    "desk-webhooks": ["/workspaces/{ws}/webhooks/"],
    "imports": ["/workspaces/{ws}/imports/"],
    "import-job": ["/imports/999999/"],
    "workspace-new": ["/workspaces/new/"],
    "queues": [
        "/queues/",
        "/queues/?queue=to_assess",
        "/queues/?queue=to_assess&workspace={ws}&article={article}",
    ],
    "agreement": ["/workspaces/{ws}/agreement/"],
    "claim-similar": ["/api/v1/claims/{c1}/similar/"],
    "claim-cluster": ["/api/v1/claims/{c1}/cluster/", "/api/v1/claims/{c2}/cluster/"],
    "claim-comments": ["/api/v1/claims/{c1}/comments/", "/api/v1/claims/{c2}/comments/"],
    "article-events": [
        "/api/v1/articles/{article}/events/",
        "/api/v1/articles/{article}/events/?after=1",
    ],
    "notification-list": ["/api/v1/notifications/", "/api/v1/notifications/?unread=true"],
    "notification-settings": ["/api/v1/notifications/settings/"],
    "notifications": ["/notifications/"],
    "candidate-similar": ["/api/v1/candidates/{candidate}/similar/"],
    "workspace-export": ["/api/v1/workspaces/{ws}/export/?format=csv"],
    "export-job-list": ["/api/v1/workspaces/{ws}/exports/"],
    "export-job-detail": ["/api/v1/exports/999999/"],
    "import-job-list": ["/api/v1/workspaces/{ws}/imports/"],
    "import-job-detail": ["/api/v1/imports/999999/"],
    "export-job-download": ["/api/v1/exports/999999/download/"],
    "release-list": ["/api/v1/workspaces/{ws}/releases/"],
    "release-detail": ["/api/v1/releases/999999/"],
    "release-manifest": ["/api/v1/releases/999999/manifest/"],
    "release-file": ["/api/v1/releases/999999/files/csv/"],
    "claim-history": ["/api/v1/claims/{c1}/history/", "/api/v1/claims/{c2}/history/"],
    "claim-adjudication-context": ["/api/v1/claims/{c1}/adjudication/context/"],
    "article-assignments": ["/api/v1/articles/{article}/assignments/"],
    "workspace-assignments": ["/api/v1/workspaces/{ws}/assignments/"],
    "workspace-agreement": ["/api/v1/workspaces/{ws}/agreement/"],
    "workspace-list": ["/api/v1/workspaces/"],
    "workspace-detail": ["/api/v1/workspaces/{ws}/"],
    "workspace-members": ["/api/v1/workspaces/{ws}/members/"],
    "workspace-webhooks": ["/api/v1/workspaces/{ws}/webhooks/"],
    "webhook-detail": ["/api/v1/webhooks/1/"],
    "webhook-deliveries": ["/api/v1/webhooks/1/deliveries/"],
    "article-list": [
        "/api/v1/articles/",
        "/api/v1/articles/?workspace={ws}&ordering=-created_at",
    ],
    "article-detail": ["/api/v1/articles/{article}/"],
    "article-candidates": ["/api/v1/articles/{article}/candidates/"],
    "article-revisions": ["/api/v1/articles/{article}/revisions/"],
    "article-sentences": ["/api/v1/articles/{article}/sentences/"],
    "candidate-detail": ["/api/v1/candidates/{candidate}/"],
    "claim-list": [
        "/api/v1/claims/",
        "/api/v1/claims/?ordering=-updated_at",
        "/api/v1/claims/?status=awaiting_verdict",
        "/api/v1/claims/?status=assessed",
        "/api/v1/claims/?status=disputed",
        "/api/v1/claims/?status=resolved",
        "/api/v1/claims/?verdict=false",
        "/api/v1/claims/?verdict=mostly-false",
        "/api/v1/claims/?page_size=1",
    ],
    "claim-detail": ["/api/v1/claims/{c1}/", "/api/v1/claims/{c2}/"],
    "claim-adjudication": [
        "/api/v1/claims/{c1}/adjudication/",
        "/api/v1/claims/{c2}/adjudication/",
    ],
    "claim-assessments": ["/api/v1/claims/{c1}/assessments/", "/api/v1/claims/{c2}/assessments/"],
    "claim-sources": ["/api/v1/claims/{c1}/sources/", "/api/v1/claims/{c2}/sources/"],
    "assessment-detail": ["/api/v1/assessments/{bobs_assessment}/"],
    "queue-list": ["/api/v1/queues/"],
    "queue-detail": [
        "/api/v1/queues/to_assess/",
        "/api/v1/queues/to_assess/?reviewer=bob",
        "/api/v1/queues/to_assess/?verdict=mostly-false",
        "/api/v1/queues/to_annotate/",
        "/api/v1/queues/disputed/",
        "/api/v1/queues/ready_to_publish/",
    ],
}
# Writes: GET must be refused (405), so that a read cannot hide among them.
WRITES = {
    "api-token",
    "article-candidates-accept-all",
    "article-candidates-dismiss-all",
    "article-fetch",
    "queue-publish",
    "article-refetch",
    "article-submit",
    "candidate-accept",
    "candidate-dismiss",
    "candidate-reopen",
    "claim-publish",
    "claim-source",
    "claim-withdraw-highlight",
    "claim-review",
    "claim-correct",
    "claim-unpublish",
    "claim-cluster-merge",
    "claim-cluster-split",
    "comment-detail",
    "notifications-read",
    "workspace-member",
    "webhook-secret",
    "webhook-ping",
    "webhook-redeliver",
    "logout",
}
WRITE_EXAMPLES = {
    "api-token": "/api/v1/auth/token/",
    "article-candidates-accept-all": "/api/v1/articles/{article}/candidates/accept-all/",
    "article-candidates-dismiss-all": "/api/v1/articles/{article}/candidates/dismiss-all/",
    "article-fetch": "/api/v1/articles/{article}/fetch/",
    "queue-publish": "/queues/publish/",
    "article-refetch": "/articles/{article}/fetch/",
    "article-submit": "/api/v1/articles/{article}/submit/",
    "candidate-accept": "/api/v1/candidates/{candidate}/accept/",
    "candidate-dismiss": "/api/v1/candidates/{candidate}/dismiss/",
    "candidate-reopen": "/api/v1/candidates/{candidate}/reopen/",
    "claim-publish": "/api/v1/claims/{c1}/publish/",
    "claim-source": "/api/v1/claims/{c1}/sources/1/",
    "claim-withdraw-highlight": "/api/v1/claims/{c1}/highlights/mine/",
    "claim-review": "/api/v1/claims/{c1}/review/",
    "claim-correct": "/api/v1/claims/{c1}/correct/",
    "claim-unpublish": "/api/v1/claims/{c1}/unpublish/",
    "claim-cluster-merge": "/api/v1/claims/{c1}/cluster/merge/",
    "claim-cluster-split": "/api/v1/claims/{c1}/cluster/split/",
    "comment-detail": "/api/v1/comments/1/",
    "notifications-read": "/api/v1/notifications/read/",
    "workspace-member": "/api/v1/workspaces/{ws}/members/1/",
    "webhook-secret": "/api/v1/webhooks/1/secret/",
    "webhook-ping": "/api/v1/webhooks/1/ping/",
    "webhook-redeliver": "/api/v1/webhook-deliveries/1/redeliver/",
    "logout": "/logout/",
}
# Routes that hold no workspace data.
EXEMPT = {
    "healthz": "the dependencies' health only",
    "livez": "that the process answers",
    "readyz": "the dependencies' health only",
    "jsi18n": "the interface's translations",
    "login": "the sign-in form",
    "invitation-accept": (
        "an invitation's page, to whoever holds its token: a workspace's name, a role and who "
        "invited; nothing of its claims"
    ),
    "set_language": "switches the interface's language (GET only redirects)",
    "api-root": "the list of API routes",
    "schema": "the OpenAPI schema",
    "swagger-ui": "the API documentation page",
}
ADMIN_PREFIX = "admin/"  # the Django admin: tests/test_admin_blind_review.py


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), str(entry.name)


def test_it_classifies_every_route_of_the_urlconf() -> None:
    names = {
        name
        for pattern, name in _routes(get_resolver().url_patterns)
        if not pattern.startswith(ADMIN_PREFIX)
    }
    unclassified = names - set(READS) - WRITES - set(EXEMPT)
    assert not unclassified, (
        f"Routes nobody classified for blind review: {sorted(unclassified)}. Add each to READS "
        "(with addresses to fetch), WRITES or EXEMPT in this file."
    )
    stale = (set(READS) | WRITES | set(EXEMPT)) - names
    assert not stale, f"Classified routes that no longer exist: {sorted(stale)}"


def test_it_covers_every_get_operation_of_the_openapi_schema(
    api: Callable[[User | None], Any], alice: User
) -> None:
    schema = api(alice).get("/api/schema/", {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        if "{name}" in path:
            concrete = path.replace("{name}", "to_assess")
        name = resolve(concrete).url_name
        assert name in READS or name in EXEMPT, f"GET {path} ({name}) is not a classified read"


# --- The scenario --------------------------------------------------------------------------------


@dataclass
class Scenario:
    workspace: Workspace
    article: Article
    c1: Claim  # prepared by erin: bob assesses it, highlights it wider, links sources
    c2: Claim  # prepared by erin: bob assesses it, dave adjudicates it
    candidate: int
    ids: dict[str, int]

    def paths(self, templates: list[str]) -> list[str]:
        return [template.format(**self.ids) for template in templates]


@pytest.fixture
def scenario(
    workspace: Workspace,
    alice: User,
    carol: User,
    erin: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> Scenario:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    with django_capture_on_commit_callbacks(execute=True):
        article = article_create(user=erin, workspace=workspace, text=FRENCH_TEXT, language="fr")
    start = FRENCH_TEXT.index("« Nous avons")
    c1 = claim_create(user=erin, article=article, start=start, end=start + 42).claim
    start = FRENCH_TEXT.index("Une trentaine")
    c2 = claim_create(user=erin, article=article, start=start, end=start + 29).claim
    # Carol cites a page before bob cites the same one with a title of his.
    claim_source_link(user=carol, claim=c1, url=SHARED_URL, stance="context")
    candidate = article.candidates.order_by("start").first()
    assert candidate is not None
    ids = {
        "ws": workspace.pk,
        "article": article.pk,
        "c1": c1.pk,
        "c2": c2.pk,
        "candidate": candidate.pk,
        "bobs_assessment": 0,
    }
    return Scenario(workspace, article, c1, c2, candidate.pk, ids)


def others_work(scenario: Scenario, bob: User, dave: User) -> None:
    """What bob (a reviewer) and dave (the adjudicator) do on claims carol has not assessed."""
    c1, c2 = scenario.c1, scenario.c2
    text = scenario.article.text
    claim_create(user=bob, article=scenario.article, start=c1.start or 0, end=(c1.end or 0) + 12)
    assert "a déclaré" in text[c1.start or 0 : (c1.end or 0) + 12]
    scenario.ids["bobs_assessment"] = assessment_create(
        user=bob, claim=c1, verdict="mostly-false", rationale=RATIONALE, confidence=0.9
    ).pk
    claim_source_link(user=bob, claim=c1, url=SHARED_URL, stance="refutes", title=TITLE)
    claim_source_link(user=bob, claim=c1, url=BOBS_URL, stance="refutes", title=TITLE)
    assessment_create(user=bob, claim=c2, verdict="false", rationale=RATIONALE)
    adjudication_create(user=dave, claim=c2, verdict="mostly-false", note=NOTE)
    # A mention of carol waits, like the comment, until her own verdict is in.
    comment_create(user=bob, claim=c1, body=f"{COMMENT}: see the Insee table, @carol")
    comment_create(user=dave, claim=c2, body=f"{NOTE}, as I said")


_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+')


def read_all(client: Client, scenario: Scenario) -> dict[str, tuple[int, str, str]]:
    """Every read address: (status, ETag, body with the per-request CSRF token blanked)."""
    seen: dict[str, tuple[int, str, str]] = {}
    for name, templates in READS.items():
        if name == "assessment-detail":
            continue  # its id exists only after bob's work: checked on its own
        for path in scenario.paths(templates):
            response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
            body = b"".join(response) if response.streaming else response.content
            text = _CSRF.sub(r"\1", body.decode("utf-8", errors="replace"))
            seen[path] = (response.status_code, response.headers.get("ETag", ""), text)
    return seen


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_shows_a_blind_reviewer_nothing_of_the_others_work_on_any_route(
    scenario: Scenario, bob: User, carol: User, dave: User
) -> None:
    client = _client(carol)
    before = read_all(client, scenario)
    others_work(scenario, bob, dave)
    after = read_all(client, scenario)

    changed = [path for path in before if before[path] != after[path]]
    assert not changed, f"carol's view moved when bob and dave worked: {changed}"
    for path, (status, _etag, body) in after.items():
        assert status < 500, path
        for secret in SECRETS:
            assert secret not in body, f"{secret} reached carol through {path}"
    # bob's assessment, asked for by its id, does not exist for her.
    assert client.get(f"/api/v1/assessments/{scenario.ids['bobs_assessment']}/").status_code == 404


def test_it_shows_the_others_work_once_her_own_verdict_is_in(
    scenario: Scenario, bob: User, carol: User, dave: User
) -> None:
    others_work(scenario, bob, dave)
    client = _client(carol)
    assessment_create(user=carol, claim=scenario.c1, verdict="true", rationale="Hers")

    claim = client.get(f"/api/v1/claims/{scenario.c1.pk}/").json()
    assessments = client.get(f"/api/v1/claims/{scenario.c1.pk}/assessments/").json()["results"]
    sources = client.get(f"/api/v1/claims/{scenario.c1.pk}/sources/").json()["results"]
    page = client.get(f"/claims/{scenario.c1.pk}/").content.decode()
    other = client.get(f"/api/v1/claims/{scenario.c2.pk}/").json()
    comments = client.get(f"/api/v1/claims/{scenario.c1.pk}/comments/").json()["results"]
    others_comments = client.get(f"/api/v1/claims/{scenario.c2.pk}/comments/").json()["results"]

    assert claim["status"] == "disputed"
    assert sorted(h["username"] for h in claim["highlights"]) == ["bob", "erin"]
    assert RATIONALE in {a["rationale"] for a in assessments}
    assert TITLE in {s["source"]["title"] for s in sources}
    assert RATIONALE in page and TITLE in page
    assert [c["author"] for c in comments] == ["bob"]
    told = client.get("/api/v1/notifications/").json()["results"]
    assert [(n["kind"], n["actor"], n["claim"]) for n in told] == [
        ("mentioned", "bob", scenario.c1.pk)
    ]
    # Still blind on the claim she has not assessed.
    assert (other["status"], other["final_verdict"]) == ("awaiting_verdict", None)
    assert others_comments == []


def test_it_shows_an_annotator_statuses_but_no_verdict_rationale_or_reviewers_source(
    scenario: Scenario, bob: User, dave: User, erin: User
) -> None:
    others_work(scenario, bob, dave)
    seen = read_all(_client(erin), scenario)
    for path, (status, _etag, body) in seen.items():
        assert status < 500, path
        for secret in SECRETS:
            assert secret not in body, f"{secret} reached erin through {path}"
    claim = _client(erin).get(f"/api/v1/claims/{scenario.c2.pk}/").json()
    assert (claim["status"], claim["final_verdict"]) == ("resolved", None)


@pytest.mark.parametrize("who", ["alice", "dave"])
def test_it_shows_adjudicators_and_editors_everything(
    scenario: Scenario, bob: User, dave: User, who: str
) -> None:
    others_work(scenario, bob, dave)
    client = _client(User.objects.get(username=who))
    context = client.get(f"/api/v1/claims/{scenario.c1.pk}/adjudication/context/").json()
    assert RATIONALE in {a["rationale"] for a in context["assessments"]}
    assert "bob" in {h["username"] for h in context["highlights"]}
    assert NOTE in client.get(f"/claims/{scenario.c2.pk}/").content.decode()
    assert client.get(f"/api/v1/claims/{scenario.c2.pk}/").json()["final_verdict"] == (
        "mostly-false"
    )
    comments = client.get(f"/api/v1/claims/{scenario.c1.pk}/comments/").json()["results"]
    assert COMMENT in comments[0]["body"]


def test_it_refuses_get_on_every_write_route(scenario: Scenario, carol: User) -> None:
    client = _client(carol)
    for name in sorted(WRITES):
        path = WRITE_EXAMPLES[name].format(**scenario.ids)
        assert resolve(path.split("?")[0]).url_name == name
        assert client.get(path).status_code == 405, f"{name} answers GET: classify it as a read"
