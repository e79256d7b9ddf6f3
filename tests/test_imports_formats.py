"""Other tools' files imported into a workspace: exact offsets in the stored text (an emoji before
the spans, guillemets in them), people kept apart, bad records reported by number."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User

from annotations.models import Article, Assessment, Claim, Highlight, Workspace
from annotations.services.articles import article_create
from tests.import_helpers import cp_span, jsonl, run_import, u16_span

pytestmark = pytest.mark.django_db

TEXT = "Bonjour 🙂 ! Le ministre a dit « le chômage baisse » hier. 🙂 Puis « 3 % de plus »."
FIRST = "« le chômage baisse »"
SECOND = "« 3 % de plus »"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def quotes(article: Article) -> list[tuple[str, str]]:
    return [
        (article.text[c.start or 0 : c.end or 0], c.tag)
        for c in Claim.objects.filter(article=article).order_by("start")
    ]


def test_a_doccano_file_lands_on_the_same_characters(workspace: Workspace, alice: User) -> None:
    lines = [
        {
            "id": 1,
            "text": TEXT,
            "label": [[*u16_span(TEXT, FIRST), "CLAIM"], [*u16_span(TEXT, SECOND), "STAT"]],
        },
        {"id": 2, "text": "Un autre texte.", "label": [[3, 99, "CLAIM"]]},
        {"id": 3, "text": TEXT + " Encore.", "label": [[*u16_span(TEXT, SECOND), "STAT"]]},
    ]
    job = run_import(
        workspace, alice, "doccano", jsonl(*lines), labels="CLAIM=claim,STAT=statistic"
    )

    assert (job.records, job.created, job.failed) == (3, 2, 1)
    bad = job.report[1]
    assert (bad["place"], bad["outcome"]) == ("line 2", "failed")
    assert "end" in bad["message"] or "end" in bad.get("field", "")
    first, third = Article.objects.filter(workspace=workspace).order_by("pk")
    assert quotes(first) == [(FIRST, "claim"), (SECOND, "statistic")]
    assert quotes(third) == [(SECOND, "statistic")]
    # The importer's own highlights: a claim each, open, nobody else named.
    assert set(Highlight.objects.values_list("user__username", flat=True)) == {"alice"}
    assert set(Claim.objects.values_list("status", flat=True)) == {"open"}


def test_a_label_studio_export_with_three_annotators(
    workspace: Workspace, alice: User, bob: User, carol: User
) -> None:
    bob.email = "bob@example.org"
    bob.save(update_fields=["email"])
    first, second = cp_span(TEXT, FIRST), cp_span(TEXT, SECOND)

    def result(start: int, end: int, label: str = "Claim") -> dict[str, Any]:
        return {
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": start, "end": end, "text": TEXT[start:end], "labels": [label]},
        }

    task = {
        "id": 7,
        "data": {"text": TEXT},
        "annotations": [
            {
                "completed_by": {"email": "bob@example.org"},
                "created_username": "bob",
                "result": [result(*first)],
            },
            {
                "completed_by": 3,
                "created_username": "carol",
                "result": [result(first[0] + 2, first[1] - 2)],
            },
            {"completed_by": 9, "created_username": "zoe", "result": [result(*second)]},
        ],
    }
    body = json.dumps([task, {"id": 8, "data": {"text": 5}, "annotations": []}]).encode()
    job = run_import(workspace, alice, "labelstudio", body)

    assert (job.created, job.failed) == (1, 1)
    assert job.report[1]["place"] == "item 1"
    article = Article.objects.get(workspace=workspace)
    claims = list(Claim.objects.filter(article=article).order_by("start"))
    assert [c.exact for c in claims] == [FIRST, SECOND]
    people = {
        h.user.username if h.user.is_active else h.user.first_name: h.exact
        for h in Highlight.objects.filter(claim=claims[0]).select_related("user")
    }
    # bob matched by e-mail, carol by username; the same claim, each with their own extent.
    assert people == {"bob": FIRST, "carol": FIRST[2:-2]}
    (apart,) = Highlight.objects.filter(claim=claims[1]).select_related("user")
    assert not apart.user.is_active and "zoe" in apart.user.first_name
    assert job.counts["people_attributed"] == 1


def test_hypothesis_annotations_attach_to_the_article_at_their_address(
    workspace: Workspace, alice: User, bob: User, carol: User
) -> None:
    # Hypothesis names its accounts acct:name@hypothes.is: members are found by that e-mail.
    for member in (bob, carol):
        member.email = f"{member.username}@hypothes.is"
        member.save(update_fields=["email"])
    article = article_create(
        user=alice, workspace=workspace, text=TEXT, url="https://example.org/chomage", language="fr"
    )
    start, end = u16_span(TEXT, FIRST)

    def row(user: str, start: int, end: int, exact: str, uri: str) -> dict[str, Any]:
        return {
            "uri": uri,
            "user": f"acct:{user}@hypothes.is",
            "text": "",
            "tags": ["claim"],
            "target": [
                {
                    "source": uri,
                    "selector": [
                        {"type": "TextPositionSelector", "start": start, "end": end},
                        {"type": "TextQuoteSelector", "exact": exact, "prefix": "", "suffix": ""},
                    ],
                }
            ],
        }

    body = json.dumps(
        {
            "total": 3,
            "rows": [
                row("bob", start, end, FIRST, "https://example.org/chomage"),
                row("carol", start + 2, end - 2, FIRST[2:-2], "https://example.org/chomage"),
                row("bob", 0, 7, "Bonjour", "https://example.org/elsewhere"),
            ],
        }
    ).encode()
    job = run_import(workspace, alice, "webannotation", body)

    assert (job.created, job.failed) == (2, 1)
    assert "import the article first" in job.report[2]["message"]
    claim = Claim.objects.get(article=article)
    assert claim.exact == FIRST
    assert {h.user.username: h.exact for h in claim.highlights.select_related("user")} == {
        "bob": FIRST,
        "carol": FIRST[2:-2],
    }

    # The same file again: everyone's highlight is already there; nothing changes.
    again = run_import(workspace, alice, "webannotation", body)
    assert (again.created, again.skipped) == (0, 2)
    assert Highlight.objects.filter(claim=claim).count() == 2


def test_fever_claims_keep_their_labels_as_final_verdicts(
    workspace: Workspace, alice: User
) -> None:
    lines = [
        {
            "id": 1,
            "label": "REFUTES",
            "claim": "Le chômage a baissé de 10 % en 2025.",
            "evidence": [],
        },
        {
            "id": 2,
            "label": "SUPPORTS",
            "claim": "Paris est la capitale de la France.",
            "evidence": [],
        },
        {"id": 3, "label": "NOT ENOUGH INFO", "claim": "Il pleuvra demain 🙂.", "evidence": []},
    ]
    job = run_import(workspace, alice, "fever", jsonl(*lines))

    assert job.created == 3
    verdicts = dict(
        Claim.objects.filter(workspace=workspace).values_list("exact", "final_verdict__slug")
    )
    assert verdicts == {
        "Le chômage a baissé de 10 % en 2025.": "false",
        "Paris est la capitale de la France.": "true",
        "Il pleuvra demain 🙂.": "unverifiable",
    }
    assert set(Claim.objects.values_list("status", flat=True)) == {"resolved"}
    assert not Assessment.objects.exists()


def test_an_annotator_imports_their_own_spans_but_not_final_verdicts(
    workspace: Workspace, erin: User
) -> None:
    doccano = run_import(
        workspace, erin, "doccano", jsonl({"text": TEXT, "label": [[*u16_span(TEXT, FIRST), "C"]]})
    )
    fever = run_import(
        workspace, erin, "fever", jsonl({"id": 1, "label": "REFUTES", "claim": "Le ciel est vert."})
    )

    assert doccano.created == 1
    assert fever.failed == 1 and "editor" in fever.report[0]["message"]
