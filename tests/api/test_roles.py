"""Each role against each route: outsiders get 404, members below the route's role get 403,
members with it (or above) succeed, anonymous requests are refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Article, CandidateClaim, Claim, Role, Workspace
from annotations.services.assessments import assessment_create


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    url: str  # formatted with ws, article, claim, candidate, assessment, member ids
    needs: Role
    body: dict[str, Any] | None = None


ROUTES = [
    Route("workspace detail", "get", "/api/v1/workspaces/{ws}/", Role.ANNOTATOR),
    Route(
        "workspace settings",
        "patch",
        "/api/v1/workspaces/{ws}/",
        Role.EDITOR,
        {"blind_review": True},
    ),
    Route("members list", "get", "/api/v1/workspaces/{ws}/members/", Role.ANNOTATOR),
    Route(
        "member add",
        "post",
        "/api/v1/workspaces/{ws}/members/",
        Role.EDITOR,
        {"username": "newcomer", "role": "reviewer"},
    ),
    Route(
        "member role",
        "patch",
        "/api/v1/workspaces/{ws}/members/{member}/",
        Role.EDITOR,
        {"role": "adjudicator"},
    ),
    Route("member remove", "delete", "/api/v1/workspaces/{ws}/members/{member}/", Role.EDITOR),
    Route(
        "article create",
        "post",
        "/api/v1/articles/",
        Role.ANNOTATOR,
        {"workspace": "{ws}", "text": "Une phrase. Deux phrases."},
    ),
    Route("article detail", "get", "/api/v1/articles/{article}/", Role.ANNOTATOR),
    Route(
        "article metadata",
        "patch",
        "/api/v1/articles/{article}/",
        Role.EDITOR,
        {"title": "Nouveau titre"},
    ),
    Route("article delete", "delete", "/api/v1/articles/{article}/", Role.EDITOR),
    Route("article candidates", "get", "/api/v1/articles/{article}/candidates/", Role.ANNOTATOR),
    Route("candidate accept", "post", "/api/v1/candidates/{candidate}/accept/", Role.ANNOTATOR),
    Route("candidate dismiss", "post", "/api/v1/candidates/{candidate}/dismiss/", Role.ANNOTATOR),
    Route(
        "claim create",
        "post",
        "/api/v1/claims/",
        Role.ANNOTATOR,
        {"article": "{article}", "start": 0, "end": 10},
    ),
    Route("claim detail", "get", "/api/v1/claims/{claim}/", Role.ANNOTATOR),
    Route(
        "claim edit",
        "patch",
        "/api/v1/claims/{claim}/",
        Role.ANNOTATOR,
        {"claimant": "Insee", "version": "{claim_version}"},
    ),
    Route("claim delete", "delete", "/api/v1/claims/{claim}/", Role.EDITOR),
    Route("assessments list", "get", "/api/v1/claims/{claim}/assessments/", Role.ANNOTATOR),
    Route(
        "assessment create",
        "post",
        "/api/v1/claims/{claim}/assessments/",
        Role.REVIEWER,
        {"verdict": "true"},
    ),
    Route("sources list", "get", "/api/v1/claims/{claim}/sources/", Role.ANNOTATOR),
    Route(
        "source link",
        "post",
        "/api/v1/claims/{claim}/sources/",
        Role.ANNOTATOR,
        {"url": "https://www.insee.fr/fr/statistiques", "stance": "supports"},
    ),
    Route("adjudication read", "get", "/api/v1/claims/{claim}/adjudication/", Role.ANNOTATOR),
    Route(
        "adjudication set",
        "post",
        "/api/v1/claims/{claim}/adjudication/",
        Role.ADJUDICATOR,
        {"verdict": "mostly-true", "note": "Chiffres Insee."},
    ),
    Route("assessment detail", "get", "/api/v1/assessments/{assessment}/", Role.ANNOTATOR),
]

ROLE_USER = {
    Role.ANNOTATOR: "erin",
    Role.REVIEWER: "carol",
    Role.ADJUDICATOR: "dave",
    Role.EDITOR: "alice",
}


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.fixture
def ids(
    workspace: Workspace,
    article: Article,
    claim: Claim,
    bob: User,
    make_user: Callable[[str], User],
) -> dict[str, int]:
    make_user("newcomer")
    member = make_user("member")
    from annotations.services.workspaces import member_add

    member_add(
        actor=workspace.created_by, workspace=workspace, username="member", role=Role.ANNOTATOR
    )
    candidate = CandidateClaim.objects.create(
        article=article,
        start=article.text.index("Une trentaine"),
        end=len(article.text),
        text=article.text[article.text.index("Une trentaine") :],
        score=0.8,
        kinds=["quantity"],
        scorer="test",
    )
    # bob's assessment is visible to everyone here (the workspace is not blind).
    assessment = assessment_create(user=bob, claim=claim, verdict="true")
    return {
        "ws": workspace.pk,
        "article": article.pk,
        "claim": claim.pk,
        "candidate": candidate.pk,
        "assessment": assessment.pk,
        "member": member.pk,
        "claim_version": Claim.objects.get(pk=claim.pk).version,
    }


def _call(client: APIClient, route: Route, ids: dict[str, int]) -> Any:
    url = route.url.format(**ids)
    body = _fill(route.body, ids) if route.body else None
    return getattr(client, route.method)(url, body, format="json")


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_it_answers_404_to_outsiders(
    route: Route, ids: dict[str, int], mallory: User, api: Callable[[User | None], APIClient]
) -> None:
    response = _call(api(mallory), route, ids)
    assert response.status_code == 404, response.content


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_it_refuses_anonymous_requests(
    route: Route, ids: dict[str, int], api: Callable[[User | None], APIClient]
) -> None:
    response = _call(api(None), route, ids)
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("role", list(ROLE_USER), ids=lambda r: r.name.lower())
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_it_lets_each_role_do_what_it_may(
    route: Route, role: Role, ids: dict[str, int], api: Callable[[User | None], APIClient]
) -> None:
    user = User.objects.get(username=ROLE_USER[role])
    response = _call(api(user), route, ids)
    if role >= route.needs:
        assert 200 <= response.status_code < 300, (response.status_code, response.content)
    else:
        assert response.status_code == 403, (response.status_code, response.content)
