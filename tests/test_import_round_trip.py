"""The round trip: a workspace's raw export imported into an empty workspace gives the same
articles, claims, highlights, assessments, sources and adjudications, field by field."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from annotations.export_rows import read_snapshot
from annotations.models import (
    Adjudication,
    Article,
    Assessment,
    Claim,
    ClaimSource,
    Highlight,
    Role,
    Workspace,
)
from annotations.services.exports import export_open
from annotations.services.workspaces import member_add, workspace_create
from tests.export_desk import Desk
from tests.import_helpers import run_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def contents(workspace: Workspace) -> list[dict[str, Any]]:
    """Everything a workspace holds on its articles, without ids or timestamps."""
    articles = []
    for article in Article.objects.filter(workspace=workspace).order_by("title"):
        claims = []
        for claim in Claim.objects.filter(article=article, orphaned=False).order_by("start", "end"):
            claims.append(
                {
                    "span": (claim.start, claim.end, claim.exact, claim.prefix, claim.suffix),
                    "said": (claim.claimant, claim.normalised_text, claim.created_by.username),
                    "tag": claim.tag,
                    "status": claim.status,
                    "final": claim.final_verdict.slug if claim.final_verdict else None,
                    "highlights": sorted(
                        (h.user.username, h.start, h.end, h.exact)
                        for h in Highlight.objects.filter(claim=claim).select_related("user")
                    ),
                    "assessments": sorted(
                        (
                            a.reviewer.username,
                            a.verdict.slug,
                            a.initial_verdict.slug,
                            a.confidence,
                            a.rationale,
                        )
                        for a in Assessment.objects.filter(claim=claim).select_related(
                            "reviewer", "verdict", "initial_verdict"
                        )
                    ),
                    "sources": sorted(
                        (
                            s.added_by.username,
                            s.source.url,
                            s.stance,
                            s.quote,
                            s.title,
                            s.publisher,
                            s.published_at,
                        )
                        for s in ClaimSource.objects.filter(claim=claim).select_related(
                            "added_by", "source"
                        )
                    ),
                    "adjudications": [
                        (a.adjudicator.username, a.verdict.slug, a.note)
                        for a in Adjudication.objects.filter(claim=claim)
                        .select_related("adjudicator", "verdict")
                        .order_by("created_at", "id")
                    ],
                }
            )
        articles.append(
            {
                "article": (article.title, article.url, article.publisher, article.author),
                "about": (article.language, article.published_at, article.text, article.checksum),
                "claims": claims,
            }
        )
    return articles


def test_a_raw_export_imported_into_an_empty_workspace_gives_the_same_workspace(
    desk: Desk, alice: User, bob: User, carol: User, dave: User, erin: User
) -> None:
    Claim.objects.filter(pk=desk.budget.pk).update(tag="STAT")  # as an earlier import left it
    export = export_open(user=alice, workspace_id=desk.workspace.pk, params={"format": "raw"})
    with read_snapshot():
        body = b"".join(export.chunks)
    empty = workspace_create(user=alice, name="Copy", organisation_name="Les Vérificateurs")
    for user, role in ((bob, Role.REVIEWER), (carol, Role.REVIEWER), (dave, Role.ADJUDICATOR)):
        member_add(actor=alice, workspace=empty, username=user.username, role=role)
    member_add(actor=alice, workspace=empty, username=erin.username, role=Role.ANNOTATOR)

    job = run_import(empty, alice, "jsonl", body)

    assert (job.created, job.skipped, job.failed) == (2, 0, 0), job.report
    original, copy = contents(desk.workspace), contents(empty)
    assert copy == original
    # Not an empty comparison: the desk's claims, verdicts and sources all came across.
    assert list(
        Claim.objects.filter(workspace=empty).exclude(tag="").values_list("tag", flat=True)
    ) == ["STAT"]
    claims = [claim for article in copy for claim in article["claims"]]
    assert len(claims) == 6
    assert {claim["status"] for claim in claims} == {"resolved", "published", "disputed", "open"}
    assert sum(len(claim["sources"]) for claim in claims) == 4
    assert sum(len(claim["adjudications"]) for claim in claims) == 4

    # And a second import of the same file changes nothing.
    assert run_import(empty, alice, "jsonl", body).skipped == 2
    assert contents(empty) == original
