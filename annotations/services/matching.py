"""Finding the workspace's already-checked claims that say the same as a new candidate or claim.

"Already checked" means a final verdict: status resolved or published. On PostgreSQL the search
is pg_trgm's trigram similarity over the claim's quote and its rewording, served by partial GIN
indexes on exactly those claims (migration 0002); on other databases rapidfuzz ranks the
workspace's most recently updated FALLBACK_LIMIT of them. Results are stored as ClaimMatch rows
(both ways the same shape, `method` says which) and shown with the matched claim's verdict.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet

from annotations.extraction.similarity import (
    FUZZY_MIN_SCORE,
    MAX_MATCHES,
    TRIGRAM_MIN_SIMILARITY,
    rank_similar,
)
from annotations.models import CandidateClaim, Claim, ClaimMatch

FINAL_STATUSES = (Claim.Status.RESOLVED, Claim.Status.PUBLISHED)
# The portable path holds these in memory for one article's sentences.
FALLBACK_LIMIT = 5000
TRIGRAM = "trigram"
FUZZY = "rapidfuzz"


@dataclass(frozen=True, slots=True)
class Match:
    claim_id: int
    score: float
    method: str


def final_claims(*, workspace_id: int, exclude: Collection[int] = ()) -> QuerySet[Claim]:
    claims = Claim.objects.filter(workspace_id=workspace_id, status__in=FINAL_STATUSES)
    return claims.exclude(pk__in=exclude) if exclude else claims


def find_similar(
    *, workspace_id: int, texts: Sequence[str], exclude: Collection[int] = ()
) -> list[list[Match]]:
    """For each text, the final-verdict claims of the workspace that say the same, best first."""
    claims = final_claims(workspace_id=workspace_id, exclude=exclude)
    if not texts or not claims.exists():
        return [[] for _ in texts]
    if connection.vendor == "postgresql":
        return _by_trigrams(workspace_id=workspace_id, texts=texts, exclude=exclude)
    return find_similar_portable(claims=claims, texts=texts)


# One statement for all of an article's sentences. Inside the LATERAL subquery the sentence is a
# column, not a constant, so the planner costs the `%` conditions by default and takes the
# partial GIN indexes (a BitmapOr over quote and rewording); given the sentence as a literal it
# misjudges trigram similarity as cheap and filters every final claim of the workspace row by
# row instead, 30 to 40 times slower at 1,000 claims (bench/worker_throughput.py).
# The statuses are FINAL_STATUSES, written out so that PostgreSQL can prove the partial indexes
# condition (migration 0002) from the query's.
_TRIGRAM_SQL = """
SELECT sentence.position, found.id, found.similarity
FROM unnest(%s::text[]) WITH ORDINALITY AS sentence(text, position)
CROSS JOIN LATERAL (
    SELECT claim.id,
           GREATEST(similarity(claim.exact, sentence.text),
                    similarity(claim.normalised_text, sentence.text)) AS similarity
    FROM annotations_claim AS claim
    WHERE claim.workspace_id = %s
      AND claim.status IN ('resolved', 'published')
      AND NOT (claim.id = ANY(%s::bigint[]))
      AND (claim.exact %% sentence.text OR claim.normalised_text %% sentence.text)
    ORDER BY similarity DESC, claim.id
    LIMIT %s
) AS found
"""


def _by_trigrams(
    *, workspace_id: int, texts: Sequence[str], exclude: Collection[int]
) -> list[list[Match]]:
    found: list[list[Match]] = [[] for _ in texts]
    with transaction.atomic(), connection.cursor() as cursor:
        # The `%` operator (which the GIN indexes serve) compares with this setting; LOCAL keeps
        # it to this transaction.
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
            [str(TRIGRAM_MIN_SIMILARITY)],
        )
        cursor.execute(_TRIGRAM_SQL, [list(texts), workspace_id, sorted(exclude), MAX_MATCHES])
        for position, claim_id, score in cursor.fetchall():
            if score >= TRIGRAM_MIN_SIMILARITY:
                found[position - 1].append(Match(claim_id, round(min(score, 1.0), 4), TRIGRAM))
    return found


def find_similar_portable(*, claims: QuerySet[Claim], texts: Sequence[str]) -> list[list[Match]]:
    """The fallback for databases without pg_trgm (and what tests use to check it agrees)."""
    choices: list[tuple[int, str]] = []
    for pk, exact, normalised in claims.order_by("-updated_at", "-pk").values_list(
        "pk", "exact", "normalised_text"
    )[:FALLBACK_LIMIT]:
        choices.append((pk, exact))
        if normalised:
            choices.append((pk, normalised))
    return [
        [
            Match(pk, score, FUZZY)
            for pk, score in rank_similar(text, choices, min_score=FUZZY_MIN_SCORE)
        ]
        for text in texts
    ]


class _Changes:
    """The writes that make stored matches equal to the wanted ones, applied in one go."""

    def __init__(self) -> None:
        self.stale: list[int] = []
        self.changed: list[ClaimMatch] = []
        self.new: list[ClaimMatch] = []

    def plan(
        self, stored: Sequence[ClaimMatch], wanted: Sequence[Match], owner: dict[str, int]
    ) -> None:
        by_claim = {match.matched_claim_id: match for match in stored}
        keys = {match.claim_id for match in wanted}
        self.stale += [match.pk for key, match in by_claim.items() if key not in keys]
        for match in wanted:
            current = by_claim.get(match.claim_id)
            if current is None:
                self.new.append(
                    ClaimMatch(
                        matched_claim_id=match.claim_id,
                        score=match.score,
                        method=match.method,
                        **owner,
                    )
                )
            elif current.score != match.score or current.method != match.method:
                current.score, current.method = match.score, match.method
                self.changed.append(current)

    def apply(self) -> None:
        if self.stale:
            ClaimMatch.objects.filter(pk__in=self.stale).delete()
        # In bounded statements: one bulk_update of thousands of rows grows with their square.
        ClaimMatch.objects.bulk_update(self.changed, ["score", "method"], batch_size=200)
        ClaimMatch.objects.bulk_create(self.new)


@transaction.atomic
def candidate_matches_refresh(*, article_id: int, workspace_id: int) -> int:
    """Match the article's pending candidates; return how many matches they have now.

    Idempotent: the same candidates and the same final claims give the same rows. (The
    extraction looks for the matches before it locks the article and stores them with
    candidate_matches_store.)
    """
    candidates = list(
        CandidateClaim.objects.filter(
            article_id=article_id, status=CandidateClaim.Status.PENDING
        ).values_list("pk", "text")
    )
    found = find_similar(workspace_id=workspace_id, texts=[text for _pk, text in candidates])
    candidate_matches_store(candidates=candidates, found=found)
    return sum(len(matches) for matches in found)


def candidate_matches_store(
    *, candidates: Sequence[tuple[int, str]], found: Sequence[Sequence[Match]]
) -> None:
    """Make the stored matches of these candidates (id, text) the ones found for each."""
    stored: dict[int, list[ClaimMatch]] = {}
    for match in ClaimMatch.objects.filter(candidate__in=[pk for pk, _text in candidates]):
        stored.setdefault(match.candidate_id or 0, []).append(match)
    changes = _Changes()
    for (pk, _text), matches in zip(candidates, found, strict=True):
        changes.plan(stored.get(pk, []), matches, {"candidate_id": pk})
    changes.apply()


@transaction.atomic
def claim_matches_refresh(*, claim_id: int) -> int:
    """Match one claim (by its quote and its rewording); return how many matches it has now.

    Run by a task after a new claim is committed. A claim that is gone meanwhile has none.
    """
    claim = (
        Claim.objects.filter(pk=claim_id).only("workspace_id", "exact", "normalised_text").first()
    )
    if claim is None:
        return 0
    texts = [claim.exact, *([claim.normalised_text] if claim.normalised_text else [])]
    best: dict[int, Match] = {}
    for matches in find_similar(workspace_id=claim.workspace_id, texts=texts, exclude={claim_id}):
        for match in matches:
            if match.claim_id not in best or match.score > best[match.claim_id].score:
                best[match.claim_id] = match
    wanted = sorted(best.values(), key=lambda match: (-match.score, match.claim_id))[:MAX_MATCHES]
    changes = _Changes()
    changes.plan(list(ClaimMatch.objects.filter(claim_id=claim_id)), wanted, {"claim_id": claim_id})
    changes.apply()
    return len(wanted)
