"""Running extraction again on an article with many pending candidates.

    make bench-reextract      # or: DATABASE_URL=postgres://... .venv/bin/python bench/reextract.py [N ...]

The hardening issue measured re-extraction (a redelivery, a sweep, "Re-run extraction") growing
steeply with the article's pending candidates on PostgreSQL: 1,000 took 0.8 s, 4,000 8.8 s, 8,000
400 s, holding the article's lock all along. This builds (in a database of its own,
`<DATABASE_URL db>_reextract`) an article of N check-worthy sentences, extracts it once (N pending
candidates), then times through the services a worker runs: the first extraction, a re-run of the
same text (every candidate kept), and a re-run after a correction of one sentence (the
correction removes the pending candidates; the queued extraction proposes them again), and how
long the article's row stays locked in the re-run (`locked`: the apply step). Best of 2 runs.
"""

from __future__ import annotations

import os
import sys
import time

from benchdb import ensure_database, use_own_database

use_own_database("reextract")

import django  # noqa: E402

SENTENCE = "Le chômage a baissé de {n} points au troisième trimestre {n}, selon l'Insee."
DEFAULT_SIZES = (1_000, 4_000, 8_000)


def seed(n: int) -> tuple[int, int]:
    """A fresh article of n check-worthy sentences, extracted once; (user id, article id)."""
    from django.contrib.auth.models import User

    from annotations.models import CandidateClaim
    from annotations.services.articles import article_create
    from annotations.services.workspaces import workspace_create

    user, _ = User.objects.get_or_create(username="bench-editor")
    workspace = workspace_create(user=user, name=f"Re-extraction bench {time.time_ns()}")
    text = "\n".join(SENTENCE.format(n=i) for i in range(n))
    article = article_create(
        user=user, workspace=workspace, text=text, language="fr", allow_duplicate=True
    )
    pending = CandidateClaim.objects.filter(article=article, status="pending").count()
    assert pending == n, f"{pending} candidates for {n} sentences"
    return user.pk, article.pk


def timed(run: object) -> float:
    started = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or list(DEFAULT_SIZES)
    ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from annotations.models import Article, CandidateClaim
    from annotations.services import extraction
    from annotations.services.articles import article_request_extraction
    from annotations.services.revisions import article_revise

    call_command("migrate", verbosity=0)
    # Time the apply step (the one transaction holding the article's lock) where it exists.
    applied: list[float] = []
    apply = getattr(extraction, "_apply", None)
    if apply is not None:

        def timed_apply(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return apply(*args, **kwargs)
            finally:
                applied.append(time.perf_counter() - started)

        extraction._apply = timed_apply  # type: ignore[assignment]

    print("PostgreSQL, one article, N check-worthy sentences, extraction in-process; best of 2")
    print(f"{'pending':>8} {'first':>9} {'re-run':>9} {'locked':>9} {'corrected':>10}")
    for n in sizes:
        first, again, locked, corrected = [], [], [], []
        for _ in range(2):
            started = time.perf_counter()
            user_id, article_id = seed(n)
            first.append(time.perf_counter() - started)
            applied.clear()

            def rerun(article_id: int = article_id) -> None:
                article_request_extraction(article_id=article_id)
                extraction.article_extract(article_id=article_id)

            again.append(timed(rerun))
            locked.append(applied[-1] if applied else float("nan"))
            pending = CandidateClaim.objects.filter(article_id=article_id, status="pending")
            assert pending.count() == n
            article = Article.objects.get(pk=article_id)
            user = User.objects.get(pk=user_id)
            text = article.text.replace(SENTENCE.format(n=0), SENTENCE.format(n=0) + " Corrigé.")

            def correct(article: Article = article, user: User = user, text: str = text) -> None:
                # The correction queues the extraction (run in-process, after commit).
                article_revise(user=user, article=article, text=text, version=article.version)

            corrected.append(timed(correct))
            assert pending.count() == n
            assert Article.objects.get(pk=article_id).extraction_status == "done"
        print(
            f"{n:>8,} {min(first):8.2f}s {min(again):8.2f}s {min(locked):8.2f}s "
            f"{min(corrected):9.2f}s"
        )


if __name__ == "__main__":
    main()
