"""The claim registry: finding the already-checked claims that say the same as a candidate or claim.

"Already checked" means the workspace's claims with a final verdict (status resolved or published)
and its reference corpus of outside fact-checks (ReferenceClaim, imported ClaimReview).

With an embedding model (the default; annotations/extraction/embeddings.py) a match is a cosine
of multilingual sentence embeddings at or above the model's threshold, so a French claim finds the
English fact-check of the same claim. Vectors are computed by the workers and kept in TextVector
(a plain binary column: no database extension), searched with numpy. Without a model (off, or it
cannot load) the search is lexical and single-language: pg_trgm's trigram similarity on
PostgreSQL (partial GIN indexes, migration 0002), rapidfuzz elsewhere.

Matches are stored as ClaimMatch rows (`method` says how they were found) and recomputed when a
claim or candidate is made and when a claim gets its final verdict or is published, so that a
claim resolved later is matched to the earlier ones that say the same (`claim_settled_refresh`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, Q, QuerySet

from annotations.extraction.claim_matching import NameComparer, match_vectors, rank, verified
from annotations.extraction.embeddings import Embedder, Vectors, from_bytes, to_bytes
from annotations.extraction.similarity import (
    FUZZY_MIN_SCORE,
    MAX_MATCHES,
    TRIGRAM_MIN_SIMILARITY,
    rank_similar,
)
from annotations.models import CandidateClaim, Claim, ClaimMatch, ReferenceClaim, TextVector
from annotations.services.embedding import current_embedder, match_threshold, vector_cache

FINAL_STATUSES = (Claim.Status.RESOLVED, Claim.Status.PUBLISHED)
# The portable path holds these in memory for one article's sentences.
FALLBACK_LIMIT = 5000
TRIGRAM = "trigram"
FUZZY = "rapidfuzz"
EMBEDDING = "embedding"
# Vectors computed and stored per statement.
_VECTOR_BATCH = 256

# What a vector's owner is: its kind and id.
Owner = tuple[str, int]
CLAIM, CANDIDATE, REFERENCE = "claim", "candidate", "reference"


@dataclass(frozen=True, slots=True)
class Match:
    """An already-checked look-alike: one of the workspace's claims, or an outside fact-check."""

    claim_id: int | None
    score: float
    method: str
    reference_id: int | None = None

    @property
    def key(self) -> Owner:
        if self.claim_id is not None:
            return (CLAIM, self.claim_id)
        return (REFERENCE, int(self.reference_id or 0))


def final_claims(*, workspace_id: int, exclude: Collection[int] = ()) -> QuerySet[Claim]:
    claims = Claim.objects.filter(workspace_id=workspace_id, status__in=FINAL_STATUSES)
    return claims.exclude(pk__in=exclude) if exclude else claims


class _RegistryInUse(Func):
    """Whether the workspace (the row's column: one column, no parameters, as it is written
    twice) has a live claim with a final verdict (status in FINAL_STATUSES, not withdrawn: what
    `final_claims` reads) or an outside fact-check: written out, since Django's two EXISTS
    subqueries cost a millisecond to build on every new claim."""

    # The statuses are FINAL_STATUSES (the claim_ws_status index serves the first test).
    template = (
        '(EXISTS (SELECT 1 FROM "annotations_claim" AS "checked" '
        'WHERE "checked"."workspace_id" = %(expressions)s '
        """AND "checked"."status" IN ('resolved', 'published') """
        'AND "checked"."withdrawn_at" IS NULL) '
        'OR EXISTS (SELECT 1 FROM "annotations_referenceclaim" AS "outside" '
        'WHERE "outside"."workspace_id" = %(expressions)s))'
    )
    output_field = BooleanField()


def registry_in_use(workspace_ref: str = "workspace_id") -> Func:
    """Whether the workspace of each row of a query (its column `workspace_ref`) has anything
    already checked: a claim with a final verdict, or an outside fact-check. Without, matching a
    new claim finds nothing and groups it with nothing (services.clusters), so claim_create does
    not ask for it; what is checked later reaches the claim as it reaches every claim made before
    it (claim_settled_refresh with embeddings, workspace_matches_refresh for outside fact-checks).
    Read in the write's transaction, it misses a claim settled by another write that commits
    while this one is still open: such a claim is offered to this one by its own task, unless
    that task reads the workspace's claims before this write commits."""
    return _RegistryInUse(F(workspace_ref))


def claim_text(exact: str, normalised: str) -> str:
    """What a claim's vector is computed from: its standalone wording when it has one."""
    return normalised or exact


def find_similar(
    *, workspace_id: int, texts: Sequence[str], exclude: Collection[int] = ()
) -> list[list[Match]]:
    """For each text, the already-checked claims of the workspace that say the same, best first."""
    if not texts:
        return []
    embedder = current_embedder()
    if embedder is not None:
        return _by_embeddings(embedder, workspace_id=workspace_id, texts=texts, exclude=exclude)
    claims = final_claims(workspace_id=workspace_id, exclude=exclude)
    references = ReferenceClaim.objects.filter(workspace_id=workspace_id)
    if not claims.exists() and not references.exists():
        return [[] for _ in texts]
    if connection.vendor == "postgresql":
        found = _by_trigrams(workspace_id=workspace_id, texts=texts, exclude=exclude)
    else:
        found = find_similar_portable(claims=claims, texts=texts)
    return _with_references_by_words(found, references, texts)


# --- Embeddings ----------------------------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


# Above this many owners of one kind, their vectors are read by workspace rather than by id.
_LIST_IN_QUERY = 500


def vectors_for(
    embedder: Embedder, *, workspace_id: int, texts: dict[Owner, str]
) -> dict[Owner, Vectors]:
    """The vector of each owner's text: from the process's cache, else the stored one when it
    was computed from this text by this model, else computed now and stored (replacing a stale
    one)."""
    cache = vector_cache()
    digests = {owner: _digest(text) for owner, text in texts.items()}
    found: dict[Owner, Vectors] = {}
    for owner, digest in digests.items():
        vector = cache.get((embedder.name, *owner, digest))
        if vector is not None:
            found[owner] = vector
    wanted: dict[str, list[int]] = {}
    for kind, pk in texts:
        if (kind, pk) not in found:
            wanted.setdefault(kind, []).append(pk)
    for kind, pks in wanted.items():
        found.update(_stored_vectors(embedder, workspace_id, kind, pks, digests))
    missing = [owner for owner in texts if owner not in found]
    for begin in range(0, len(missing), _VECTOR_BATCH):
        batch = missing[begin : begin + _VECTOR_BATCH]
        computed = embedder.embed([texts[owner] for owner in batch])
        _store_vectors(
            embedder,
            workspace_id,
            [(o, texts[o], v) for o, v in zip(batch, computed, strict=False)],
        )
        now = dict(zip(batch, computed, strict=True))
        found.update(now)
        _remember_after_commit(embedder, digests, now)
    return found


def _remember_after_commit(
    embedder: Embedder, digests: dict[Owner, str], vectors: dict[Owner, Vectors]
) -> None:
    """Cache these vectors once the transaction that stored or read their rows commits: a row
    rolled back (its owner with it) leaves nothing in the cache, so an owner that later gets the
    same id (SQLite reuses them) has its vector stored, never skipped as already known. Every
    caller today runs in autocommit (tasks, commands, requests), where this is at once; a caller
    inside atomic() would fill the cache only when its block commits."""

    def remember() -> None:
        cache = vector_cache()
        for owner, vector in vectors.items():
            cache.put((embedder.name, *owner, digests[owner]), vector)

    transaction.on_commit(remember)


def _stored_vectors(
    embedder: Embedder, workspace_id: int, kind: str, pks: list[int], digests: dict[Owner, str]
) -> dict[Owner, Vectors]:
    """The stored vectors of these owners that were computed from their current text (``digests``)
    by this model, put in the process's cache."""
    rows = TextVector.objects.filter(model=embedder.name)
    if len(pks) > _LIST_IN_QUERY:
        # A whole corpus: the workspace's vectors of this kind, those not asked for dropped here
        # (50,000 ids sent in the query took 3 of the 4 s one article's matching took).
        rows = rows.filter(workspace_id=workspace_id, **{f"{kind}__isnull": False})
    else:
        rows = rows.filter(**{f"{kind}_id__in": pks})
    owners: list[Owner] = []
    blobs: list[bytes] = []
    size = 4 * embedder.dimension
    for pk, digest, blob in rows.values_list(f"{kind}_id", "digest", "vector").iterator(
        chunk_size=2000
    ):
        if digests.get((kind, pk)) == digest and len(blob) == size:
            owners.append((kind, pk))
            blobs.append(blob)
    found = dict(zip(owners, from_bytes(blobs, embedder.dimension), strict=True))
    _remember_after_commit(embedder, digests, found)
    return found


def _store_vectors(
    embedder: Embedder, workspace_id: int, rows: Sequence[tuple[Owner, str, Vectors]]
) -> None:
    by_kind: dict[str, list[TextVector]] = {}
    for (kind, pk), text, vector in rows:
        by_kind.setdefault(kind, []).append(
            TextVector(
                workspace_id=workspace_id,
                model=embedder.name,
                digest=_digest(text),
                vector=to_bytes(vector),
                **{f"{kind}_id": pk},
            )
        )
    for kind, vectors in by_kind.items():
        # Two workers computing the same vector at once: the later one's write wins, same value.
        TextVector.objects.bulk_create(
            vectors,
            update_conflicts=True,
            unique_fields=[kind],
            update_fields=["model", "digest", "vector", "created_at"],
        )


def _checked_texts(workspace_id: int, exclude: Collection[int]) -> dict[Owner, str]:
    texts: dict[Owner, str] = {}
    for pk, exact, normalised in final_claims(
        workspace_id=workspace_id, exclude=exclude
    ).values_list("pk", "exact", "normalised_text"):
        texts[(CLAIM, pk)] = claim_text(exact, normalised)
    for pk, text in ReferenceClaim.objects.filter(workspace_id=workspace_id).values_list(
        "pk", "claim_text"
    ):
        texts[(REFERENCE, pk)] = text
    return texts


def _by_embeddings(
    embedder: Embedder, *, workspace_id: int, texts: Sequence[str], exclude: Collection[int]
) -> list[list[Match]]:
    checked = _checked_texts(workspace_id, exclude)
    corpus = vectors_for(embedder, workspace_id=workspace_id, texts=checked)
    # In the registry's order, not the order vectors were found in (cached ones first): equal
    # scores rank the same whatever the cache holds.
    owners = [owner for owner in checked if owner in corpus]
    if not owners:
        return [[] for _ in texts]
    found = match_vectors(
        embedder.embed(texts),
        np_stack([corpus[owner] for owner in owners]),
        texts,
        [checked[owner] for owner in owners],
        threshold=match_threshold(embedder),
        names=NameComparer(embedder.embed),
    )
    return [[_match(owners[row], score) for row, score in matches] for matches in found]


def np_stack(rows: Sequence[Vectors]) -> Vectors:
    import numpy as np

    return np.vstack(rows).astype(np.float32)


def _match(owner: Owner, score: float) -> Match:
    kind, pk = owner
    if kind == REFERENCE:
        return Match(None, score, EMBEDDING, reference_id=pk)
    return Match(pk, score, EMBEDDING)


# --- Words (no embedding model) ------------------------------------------------------------------


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


def _with_references_by_words(
    found: list[list[Match]], references: QuerySet[ReferenceClaim], texts: Sequence[str]
) -> list[list[Match]]:
    """Add the outside fact-checks that rapidfuzz finds alike to each text's matches."""
    choices = list(references.order_by("-pk").values_list("pk", "claim_text")[:FALLBACK_LIMIT])
    if not choices:
        return found
    merged = []
    for matches, text in zip(found, texts, strict=True):
        outside = [
            Match(None, score, FUZZY, reference_id=pk)
            for pk, score in rank_similar(text, choices, min_score=FUZZY_MIN_SCORE)
        ]
        both = sorted([*matches, *outside], key=lambda match: (-match.score, match.key))
        merged.append(both[:MAX_MATCHES])
    return merged


def _stored_key(match: ClaimMatch) -> Owner:
    if match.matched_claim_id is not None:
        return (CLAIM, match.matched_claim_id)
    return (REFERENCE, int(match.matched_reference_id or 0))


class _Changes:
    """The writes that make stored matches equal to the wanted ones, applied in one go."""

    def __init__(self) -> None:
        self.stale: list[int] = []
        self.changed: list[ClaimMatch] = []
        self.new: list[ClaimMatch] = []

    def plan(
        self,
        stored: Sequence[ClaimMatch],
        wanted: Sequence[Match],
        owner: dict[str, int],
        *,
        keep_others: bool = False,
    ) -> None:
        """`keep_others`: only add or update the wanted matches (a settled claim offering itself
        to the claims that say the same), leaving the rest as they are."""
        by_key = {_stored_key(match): match for match in stored}
        keys = {match.key for match in wanted}
        if not keep_others:
            self.stale += [match.pk for key, match in by_key.items() if key not in keys]
        for match in wanted:
            current = by_key.get(match.key)
            if current is None:
                self.new.append(
                    ClaimMatch(
                        matched_claim_id=match.claim_id,
                        matched_reference_id=match.reference_id,
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
        ClaimMatch.objects.bulk_create(self.new, ignore_conflicts=True)


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
    with transaction.atomic():  # short: the matches were found outside it
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
    best: dict[Owner, Match] = {}
    for matches in find_similar(workspace_id=claim.workspace_id, texts=texts, exclude={claim_id}):
        for match in matches:
            if match.key not in best or match.score > best[match.key].score:
                best[match.key] = match
    wanted = sorted(best.values(), key=lambda match: (-match.score, match.key))[:MAX_MATCHES]
    # Found outside the transaction (computing vectors may take a while); written in a short one.
    with transaction.atomic():
        changes = _Changes()
        changes.plan(
            list(ClaimMatch.objects.filter(claim_id=claim_id)), wanted, {"claim_id": claim_id}
        )
        changes.apply()
    return len(wanted)


def claim_settled_refresh(*, claim_id: int) -> int:
    """A claim got its final verdict or was published (or its wording changed after): offer it to
    the workspace's other claims and pending candidates that say the same, those made before it was
    checked. Return how many of them it is offered to.

    The settled claim's own matches are left as they are: they follow its text, never its status
    (under blind review, a colleague's verdict must not change what a reviewer reads). Its earlier
    offers that no longer hold (reworded since) are withdrawn. With embeddings only: the lexical
    search runs from each new text, not back from a checked one.
    """
    embedder = current_embedder()
    claim = (
        Claim.objects.filter(pk=claim_id, status__in=FINAL_STATUSES)
        .only("workspace_id", "exact", "normalised_text")
        .first()
    )
    if embedder is None or claim is None:
        return 0
    workspace_id = claim.workspace_id
    settled_text = claim_text(claim.exact, claim.normalised_text)
    settled = vectors_for(
        embedder, workspace_id=workspace_id, texts={(CLAIM, claim_id): settled_text}
    )[(CLAIM, claim_id)]
    others: dict[Owner, str] = {}
    for pk, exact, normalised in (
        Claim.objects.filter(workspace_id=workspace_id)
        .exclude(pk=claim_id)
        .values_list("pk", "exact", "normalised_text")
    ):
        others[(CLAIM, pk)] = claim_text(exact, normalised)
    for pk, text in CandidateClaim.objects.filter(
        article__workspace_id=workspace_id, status=CandidateClaim.Status.PENDING
    ).values_list("pk", "text"):
        others[(CANDIDATE, pk)] = text
    vectors = vectors_for(embedder, workspace_id=workspace_id, texts=others)
    owners = list(vectors)
    found: list[list[tuple[int, float]]] = []
    if owners:
        found = verified(
            rank(
                np_stack([vectors[owner] for owner in owners]),
                settled.reshape(1, -1),
                threshold=match_threshold(embedder),
                limit=1,
            ),
            [others[owner] for owner in owners],
            [settled_text],
            NameComparer(embedder.embed),
        )
    offered = {
        owner: matches[0][1] for owner, matches in zip(owners, found, strict=True) if matches
    }
    with transaction.atomic():
        stored: dict[Owner, list[ClaimMatch]] = {}
        for match in ClaimMatch.objects.filter(
            Q(matched_claim_id=claim_id)
            | Q(claim_id__in=[pk for kind, pk in offered if kind == CLAIM])
            | Q(candidate_id__in=[pk for kind, pk in offered if kind == CANDIDATE])
        ):
            owner = (
                (CLAIM, match.claim_id)
                if match.claim_id
                else (CANDIDATE, int(match.candidate_id or 0))
            )
            stored.setdefault(owner, []).append(match)
        changes = _Changes()
        for owner, matches in stored.items():
            if owner not in offered:
                # Offered before, no longer the same claim (reworded since).
                changes.stale += [m.pk for m in matches if m.matched_claim_id == claim_id]
        for (kind, pk), score in offered.items():
            field = "claim_id" if kind == CLAIM else "candidate_id"
            changes.plan(
                stored.get((kind, pk), []),
                [Match(claim_id, score, EMBEDDING)],
                {field: pk},
                keep_others=True,
            )
        changes.apply()
    return len(offered)


def workspace_matches_refresh(*, workspace_id: int) -> int:
    """Match again every claim still being checked and every pending candidate of a workspace (its
    reference corpus grew); return how many matches they have now."""
    total = 0
    for claim_id in (
        Claim.objects.filter(workspace_id=workspace_id)
        .exclude(status__in=FINAL_STATUSES)
        .values_list("pk", flat=True)
        .iterator()
    ):
        total += claim_matches_refresh(claim_id=claim_id)
    for article_id in (
        CandidateClaim.objects.filter(
            article__workspace_id=workspace_id, status=CandidateClaim.Status.PENDING
        )
        .values_list("article_id", flat=True)
        .distinct()
    ):
        total += candidate_matches_refresh(article_id=article_id, workspace_id=workspace_id)
    return total


def claim_settled_later(claim_id: int) -> None:
    """Record, in the caller's transaction, that the registry must look around this claim once it
    commits (a worker runs claim_settled_refresh)."""
    from annotations import tasks  # the tasks module imports the services
    from annotations.services.dispatch import enqueue_on_commit

    enqueue_on_commit(tasks.claim_settled, claim_id)
