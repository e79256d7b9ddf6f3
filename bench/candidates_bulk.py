"""Deciding an article's candidates in bulk: one request for all the page shows.

    make bench-candidates     # or: DATABASE_URL=postgres://... .venv/bin/python bench/candidates_bulk.py

The review-loop issue measured 77.5 s to dismiss 1,229 candidates from the article page, which
then sent one request per candidate. The page now sends one request with the ids it shows. This
builds (in a database of its own, `<DATABASE_URL db>_candidates`) an article of 1,229 sentences,
each a pending candidate, and times through the whole Django stack (test client, PostgreSQL):
dismissing them all in one request, then reopening and accepting them all in one request (each
accepted candidate becomes a claim with the annotator's highlight). Best of three runs each.
"""

from __future__ import annotations

import time

from benchdb import ensure_database, use_own_database

use_own_database("candidates")

import django  # noqa: E402

CANDIDATES = 1_229
SENTENCE = "Le chômage a baissé de {n} points au troisième trimestre, selon l'Insee."


def seed() -> tuple[int, int, list[int]]:
    """A fresh article whose sentences are all pending candidates; (user id, article id, ids)."""
    from django.contrib.auth.models import User

    from annotations.models import Article, CandidateClaim
    from annotations.services.workspaces import workspace_create
    from annotations.text import checksum

    user, _ = User.objects.get_or_create(username="bench-annotator")
    workspace = workspace_create(user=user, name="Candidates bench")
    sentences = [SENTENCE.format(n=n) for n in range(CANDIDATES)]
    text = "\n".join(sentences)
    article = Article.objects.create(
        workspace=workspace,
        title="Many candidates",
        language="fr",
        text=text,
        checksum=checksum(text),
        extraction_status="done",
        created_by=user,
    )
    candidates, at = [], 0
    for sentence in sentences:
        candidates.append(
            CandidateClaim(
                article=article,
                start=at,
                end=at + len(sentence),
                text=sentence,
                score=0.9,
                scorer="bench",
            )
        )
        at += len(sentence) + 1
    made = CandidateClaim.objects.bulk_create(candidates)
    return user.pk, article.pk, [c.pk for c in made]


def main() -> None:
    ensure_database(__import__("os").environ["DATABASE_URL"])
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from annotations.models import CandidateClaim, Claim

    call_command("migrate", verbosity=0)
    timings: dict[str, list[float]] = {"dismiss": [], "accept": []}
    for _ in range(3):
        user_id, article_id, ids = seed()
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=user_id))
        base = f"/api/v1/articles/{article_id}/candidates/"
        for action in ("dismiss", "accept"):
            if action == "accept":
                CandidateClaim.objects.filter(pk__in=ids).update(
                    status="pending", decided_by=None, decided_at=None
                )
            started = time.perf_counter()
            response = client.post(f"{base}{action}-all/", {"ids": ids}, format="json")
            timings[action].append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:300]
            assert response.json()["count"] == CANDIDATES
        assert Claim.objects.filter(article_id=article_id).count() == CANDIDATES
    print(f"PostgreSQL, one article with {CANDIDATES:,} pending candidates; best of 3 runs")
    print(f"dismiss all, one request       {min(timings['dismiss']):7.2f} s")
    print(f"accept all, one request         {min(timings['accept']):7.2f} s")


if __name__ == "__main__":
    main()
