"""The agreement figures of a workspace through the API, on tables whose answers are known."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from annotations.models import Article, Assessment, Claim, Role, Workspace
from annotations.services.articles import article_create
from annotations.services.assessments import assessment_create
from annotations.services.claims import claim_create
from annotations.services.workspaces import VerdictSpec, member_add, workspace_create
from tests.test_agreement import WORKED_EXAMPLE

Api = Callable[[User | None], APIClient]
SENTENCE = "Le taux de chômage a baissé de 0,3 point au troisième trimestre. "


def claims_on(workspace: Workspace, author: User, count: int) -> tuple[Article, list[Claim]]:
    article = article_create(
        user=author, workspace=workspace, text=SENTENCE * count, title="Table", language="fr"
    )
    size = len(SENTENCE)
    claims = [
        claim_create(user=author, article=article, start=i * size, end=(i + 1) * size - 1).claim
        for i in range(count)
    ]
    return article, claims


def agreement(api: Api, user: User, workspace: Workspace, **params: Any) -> dict[str, Any]:
    response = api(user).get(f"/api/v1/workspaces/{workspace.pk}/agreement/", params)
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_it_reproduces_krippendorffs_worked_example_through_the_api(
    make_user: Callable[[str], User], api: Api
) -> None:
    editor = make_user("kate")
    scale = [VerdictSpec(name=f"Grade {v}", value=v, slug=f"g{v}") for v in range(1, 6)]
    workspace = workspace_create(user=editor, name="Reliability", scale=scale)
    observers = []
    for name in ("obs_a", "obs_b", "obs_c", "obs_d"):
        observers.append(make_user(name))
        member_add(actor=editor, workspace=workspace, username=name, role=Role.REVIEWER)
    _article, claims = claims_on(workspace, editor, 12)
    for observer, row in zip(observers, WORKED_EXAMPLE, strict=True):
        for claim, cell in zip(claims, row.split(), strict=True):
            if cell != ".":
                label = workspace.verdicts.get(slug=f"g{cell}")
                Assessment.objects.create(
                    claim=claim, reviewer=observer, verdict=label, initial_verdict=label
                )

    figures = agreement(api, editor, workspace)
    alpha = figures["krippendorff_alpha"]
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", published to 3 decimals.
    assert round(alpha["nominal"], 3) == 0.743
    assert round(alpha["ordinal"], 3) == 0.815
    assert round(alpha["interval"], 3) == 0.849
    # Units rated by at least two observers: 11 of 12 (the last has one value), 40 values.
    assert (figures["units"], figures["assessments"], figures["coders"]) == (11, 40, 4)
    assert len(figures["cohen_kappa"]) == 6
    pair = next(
        p
        for p in figures["cohen_kappa"]
        if (p["reviewer_a"], p["reviewer_b"]) == ("obs_a", "obs_b")
    )
    assert pair["shared_claims"] == 9


def test_it_gives_kappa_and_percent_agreement_on_a_small_known_table(
    workspace: Workspace, alice: User, bob: User, carol: User, api: Api
) -> None:
    # bob: T T F F, carol: T F F F -> p_o = 3/4, p_e = 1/2 * 1/4 + 1/2 * 3/4 = 1/2, kappa = 1/2.
    _article, claims = claims_on(workspace, alice, 4)
    for claim, (mine, theirs) in zip(
        claims,
        [("true", "true"), ("true", "false"), ("false", "false"), ("false", "false")],
        strict=True,
    ):
        assessment_create(user=bob, claim=claim, verdict=mine)
        assessment_create(user=carol, claim=claim, verdict=theirs)
    figures = agreement(api, alice, workspace)
    assert figures["cohen_kappa"] == [
        {
            "reviewer_a": "bob",
            "reviewer_b": "carol",
            "kappa": pytest.approx(0.5),
            "shared_claims": 4,
            "percent_agreement": pytest.approx(0.75),
        }
    ]
    assert figures["percent_agreement"] == pytest.approx(0.75)
    assert set(figures) >= {
        "krippendorff_alpha",
        "cohen_kappa",
        "percent_agreement",
        "span_agreement",
        "units",
        "assessments",
    }
    assert set(figures["krippendorff_alpha"]) == {"nominal", "ordinal", "interval"}


def test_it_measures_span_agreement_between_reviewers(
    article: Article, claim: Claim, alice: User, carol: User, api: Api
) -> None:
    assert claim.start is not None and claim.end is not None
    claim_create(user=carol, article=article, start=claim.start, end=claim.end + 10)
    spans = agreement(api, alice, article.workspace)["span_agreement"]
    assert (spans["exact_f1"], spans["overlap_f1"]) == (0.0, 1.0)
    assert spans["pairs"][0]["reviewer_a"] == "bob" and spans["pairs"][0]["reviewer_b"] == "carol"


def test_it_filters_the_figures_by_article_reviewer_and_date(
    workspace: Workspace, alice: User, bob: User, carol: User, dave: User, api: Api
) -> None:
    first, claims = claims_on(workspace, alice, 3)
    for claim in claims:
        assessment_create(user=bob, claim=claim, verdict="true")
        assessment_create(user=carol, claim=claim, verdict="true")
    _second, others = claims_on(workspace, alice, 2)
    for claim in others:
        assessment_create(user=bob, claim=claim, verdict="false")
        assessment_create(user=dave, claim=claim, verdict="true")
    last_year = timezone.now() - timedelta(days=365)
    Assessment.objects.filter(claim__in=others).update(created_at=last_year)

    assert agreement(api, alice, workspace)["units"] == 5
    assert agreement(api, alice, workspace, article=first.pk)["units"] == 3
    by_dave = agreement(api, alice, workspace, reviewer="dave")
    assert by_dave["units"] == 2
    assert [(p["reviewer_a"], p["reviewer_b"]) for p in by_dave["cohen_kappa"]] == [("bob", "dave")]
    assert by_dave["percent_agreement"] == 0.0
    today = timezone.localdate().isoformat()
    recent = agreement(api, alice, workspace, **{"from": today, "to": today})
    assert recent["units"] == 3 and recent["percent_agreement"] == 1.0
    assert recent["filters"]["from"].startswith(today)
    old = agreement(api, alice, workspace, to=(timezone.now() - timedelta(days=30)).isoformat())
    assert old["units"] == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"article": "first"}, "article"),
        ({"reviewer": "nobody"}, "reviewer"),
    ],
)
def test_it_names_a_bad_agreement_filter(
    params: dict[str, str], field: str, workspace: Workspace, alice: User, api: Api
) -> None:
    response = api(alice).get(f"/api/v1/workspaces/{workspace.pk}/agreement/", params)
    assert response.status_code == 400 and field in response.json(), response.content


def test_it_gives_null_figures_for_a_workspace_without_assessments(
    workspace: Workspace, erin: User, api: Api
) -> None:
    figures = agreement(api, erin, workspace)
    assert figures["krippendorff_alpha"] == {"nominal": None, "ordinal": None, "interval": None}
    assert figures["units"] == 0 and figures["cohen_kappa"] == []


def test_it_keeps_the_figures_of_a_blind_workspace_for_adjudicators_and_editors(
    workspace: Workspace, bob: User, dave: User, mallory: User, api: Api
) -> None:
    url = f"/api/v1/workspaces/{workspace.pk}/agreement/"
    assert api(mallory).get(url).status_code == 404
    Workspace.objects.filter(pk=workspace.pk).update(blind_review=True)
    assert api(bob).get(url).status_code == 403
    assert api(dave).get(url).status_code == 200
