"""Every write route checks the caller's role before it reads the body: a member whose role is
too low gets 403 whatever they send (nothing, or nonsense), never a 400 or 428 that would tell
them how to shape a request they may not make, and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import (
    Article,
    Assessment,
    Assignment,
    Claim,
    ClaimEvent,
    ExportJob,
    Membership,
    Role,
    Workspace,
)
from annotations.services.assessments import assessment_create


@dataclass(frozen=True)
class WriteRoute:
    name: str
    method: str
    url: str  # formatted with ws, article, claim, assessment, member ids
    needs: Role


# Every POST, PATCH and DELETE of the API whose role is above an annotator's (an annotator's
# routes have no lower role to refuse: outsiders get 404, tests/api/test_roles.py).
WRITE_ROUTES = [
    WriteRoute("workspace settings", "patch", "/api/v1/workspaces/{ws}/", Role.EDITOR),
    WriteRoute("member add", "post", "/api/v1/workspaces/{ws}/members/", Role.EDITOR),
    WriteRoute("member role", "patch", "/api/v1/workspaces/{ws}/members/{member}/", Role.EDITOR),
    WriteRoute("export job", "post", "/api/v1/workspaces/{ws}/exports/", Role.EDITOR),
    WriteRoute("release", "post", "/api/v1/workspaces/{ws}/releases/", Role.EDITOR),
    WriteRoute("article metadata", "patch", "/api/v1/articles/{article}/", Role.EDITOR),
    WriteRoute("article revision", "post", "/api/v1/articles/{article}/revisions/", Role.EDITOR),
    WriteRoute("assign", "post", "/api/v1/articles/{article}/assignments/", Role.EDITOR),
    WriteRoute("assessment create", "post", "/api/v1/claims/{claim}/assessments/", Role.REVIEWER),
    WriteRoute("assessment edit", "patch", "/api/v1/assessments/{assessment}/", Role.REVIEWER),
    WriteRoute("adjudication", "post", "/api/v1/claims/{claim}/adjudication/", Role.ADJUDICATOR),
    WriteRoute("publish", "post", "/api/v1/claims/{claim}/publish/", Role.EDITOR),
    WriteRoute("review article", "post", "/api/v1/claims/{claim}/review/", Role.EDITOR),
    WriteRoute("correct", "post", "/api/v1/claims/{claim}/correct/", Role.EDITOR),
    WriteRoute("unpublish", "post", "/api/v1/claims/{claim}/unpublish/", Role.EDITOR),
    WriteRoute("published claim edit", "patch", "/api/v1/claims/{published}/", Role.EDITOR),
]

# Bodies a client may send by mistake: nothing, an empty object, and fields of the wrong type.
BODIES: list[Any] = [
    None,
    {},
    {"version": "x", "verdict": 3, "role": [], "name": {}, "text": 1, "users": "x", "format": 1},
]

# The highest role below the route's (the one most likely to be let through by mistake).
BELOW = {Role.REVIEWER: "erin", Role.ADJUDICATOR: "carol", Role.EDITOR: "dave"}


@pytest.fixture
def ids(
    workspace: Workspace,
    article: Article,
    claim: Claim,
    bob: User,
    alice: User,
    dave: User,
    make_user: Callable[[str], User],
    api: Callable[[User | None], APIClient],
) -> dict[str, int]:
    make_user("member")
    from annotations.services.workspaces import member_add

    member = member_add(actor=alice, workspace=workspace, username="member", role=Role.ANNOTATOR)
    assessment = assessment_create(user=bob, claim=claim, verdict="true")
    # A second claim, resolved and published, whose wording only an editor may change.
    text = article.text
    start = text.index("Une trentaine")
    published = (
        api(bob)
        .post("/api/v1/claims/", {"article": article.pk, "start": start, "end": len(text)})
        .json()["id"]
    )
    api(dave).post(f"/api/v1/claims/{published}/adjudication/", {"verdict": "true"})
    assert api(alice).post(f"/api/v1/claims/{published}/publish/").status_code == 200
    return {
        "ws": workspace.pk,
        "article": article.pk,
        "claim": claim.pk,
        "published": published,
        "assessment": assessment.pk,
        "member": member.user_id,
    }


def _state() -> list[Any]:
    """What a refused write could have changed."""
    return [
        list(Workspace.objects.values_list("name", "reviewers_per_claim", "blind_review")),
        sorted(Membership.objects.values_list("user_id", "role")),
        sorted(Article.objects.values_list("pk", "title", "text", "version")),
        sorted(Claim.objects.values_list("pk", "status", "version", "normalised_text")),
        sorted(Assessment.objects.values_list("pk", "verdict_id", "version")),
        Assignment.objects.count(),
        ExportJob.objects.count(),
        ClaimEvent.objects.count(),
    ]


@pytest.mark.parametrize("body", BODIES, ids=["no body", "empty", "wrong types"])
@pytest.mark.parametrize("route", WRITE_ROUTES, ids=lambda r: r.name)
def test_a_too_low_role_gets_403_whatever_the_body(
    route: WriteRoute,
    body: Any,
    ids: dict[str, int],
    api: Callable[[User | None], APIClient],
) -> None:
    user = User.objects.get(username=BELOW[route.needs])
    before = _state()

    response = getattr(api(user), route.method)(route.url.format(**ids), body, format="json")

    assert response.status_code == 403, (response.status_code, response.content)
    assert response["Content-Type"] == "application/json"
    assert _state() == before
