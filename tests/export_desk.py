"""A desk with claims in every state, built through the real services, for the export tests.

French article (the conftest's: no URL, guillemets, an emoji) and an English one with a URL:
- `unemployment`: resolved by dave ("mostly-true", after bob and carol disagreed), with a
  supporting source linked twice (bob and carol), a refuting one and a context one;
- `jobs`: adjudicated "false" and published by alice, quoting « … »;
- `opposition`: resolved "half-true"; its span ends on the emoji (offsets are code points);
- `departments`: resolved "true", then orphaned by a text correction (no offsets any more);
- `budget` (English): resolved "unverifiable", which has no value on the scale;
- `disputed` (English): bob and carol disagree, nobody adjudicated yet;
- `open` (English): highlighted only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from django.contrib.auth.models import User

from annotations.models import Article, Claim, Workspace
from annotations.services.adjudications import adjudication_create
from annotations.services.articles import article_create
from annotations.services.assessments import assessment_create
from annotations.services.claims import claim_create
from annotations.services.publishing import claim_publish
from annotations.services.sources import claim_source_link

ENGLISH_TEXT = (
    "The council said the new budget cuts waste by 12 percent. "
    "Critics say the figure ignores inflation. "
    "The mayor promised a new bridge by 2027."
)
INSEE = "https://www.insee.fr/fr/statistiques/chomage-t3"
DARES = "https://dares.travail-emploi.gouv.fr/emploi"
BLOG = "https://blog.example/contexte"


def streamed(response: Any) -> bytes:
    """The whole body of a streamed response (the test client's are synchronous iterators)."""
    return b"".join(cast(Iterator[bytes], response.streaming_content))


@dataclass(frozen=True)
class Desk:
    workspace: Workspace
    french: Article
    english: Article
    unemployment: Claim
    jobs: Claim
    opposition: Claim
    departments: Claim
    budget: Claim
    disputed: Claim
    open: Claim

    @property
    def verified(self) -> list[Claim]:
        """The claims a default export holds (resolved and published), in id order."""
        return sorted(
            [self.unemployment, self.jobs, self.opposition, self.departments, self.budget],
            key=lambda claim: claim.pk,
        )


def _highlight(article: Article, user: User, phrase: str, **fields: str) -> Claim:
    start = article.text.index(phrase)
    return claim_create(
        user=user, article=article, start=start, end=start + len(phrase), **fields
    ).claim


def build_desk(
    *,
    workspace: Workspace,
    article: Article,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    erin: User,
) -> Desk:
    english = article_create(
        user=alice,
        workspace=workspace,
        text=ENGLISH_TEXT,
        url="https://news.example/budget",
        title="Council budget",
        publisher="Example News",
        language="en",
        published_at=datetime(2024, 4, 30, 18, 0, tzinfo=UTC),
    )

    unemployment = _highlight(
        article,
        bob,
        "Le chômage a reculé de 0,3 point au troisième trimestre",
        claimant="Insee",
        normalised_text="Le chômage a baissé de 0,3 point au troisième trimestre.",
    )
    assessment_create(user=bob, claim=unemployment, verdict="mostly-true", confidence=0.8)
    assessment_create(
        user=carol, claim=unemployment, verdict="true", rationale='Chiffres "officiels"'
    )
    claim_source_link(
        user=bob, claim=unemployment, url=INSEE, stance="supports", quote="recul de 0,3 point"
    )
    claim_source_link(user=carol, claim=unemployment, url=INSEE, stance="supports")
    claim_source_link(user=carol, claim=unemployment, url=DARES, stance="refutes")
    claim_source_link(user=erin, claim=unemployment, url=BLOG, stance="context", quote="voir")
    adjudication_create(
        user=dave, claim=unemployment, verdict="mostly-true", note="Chiffres Insee confirmés"
    )

    jobs = _highlight(
        article,
        carol,
        "« Nous avons créé plus de 40 000 emplois »",
        claimant="la ministre du Travail",
    )
    adjudication_create(user=dave, claim=jobs, verdict="false")
    claim_publish(user=alice, claim=jobs)

    opposition = _highlight(
        article, bob, "L'opposition affirme que les chiffres sont « trompeurs » 😐"
    )
    adjudication_create(user=dave, claim=opposition, verdict="half-true")

    departments = _highlight(article, bob, "Une trentaine de départements")
    adjudication_create(user=dave, claim=departments, verdict="true")
    # What a text correction does to a claim whose quote it cannot place again (the revision
    # service is another issue's; the export only needs the orphaned row).
    Claim.objects.filter(pk=departments.pk).update(start=None, end=None, orphaned=True)

    budget = _highlight(
        english, bob, "the new budget cuts waste by 12 percent", claimant="The council"
    )
    adjudication_create(user=dave, claim=budget, verdict="unverifiable", note="No data.")

    disputed = _highlight(english, carol, "Critics say the figure ignores inflation")
    assessment_create(user=bob, claim=disputed, verdict="false", confidence=0.3)
    assessment_create(user=carol, claim=disputed, verdict="true", confidence=1.0)

    open_claim = _highlight(english, erin, "The mayor promised a new bridge by 2027")

    def fresh(claim: Claim) -> Claim:
        return Claim.objects.select_related("article", "final_verdict").get(pk=claim.pk)

    return Desk(
        workspace=workspace,
        french=article,
        english=english,
        unemployment=fresh(unemployment),
        jobs=fresh(jobs),
        opposition=fresh(opposition),
        departments=fresh(departments),
        budget=fresh(budget),
        disputed=fresh(disputed),
        open=fresh(open_claim),
    )
