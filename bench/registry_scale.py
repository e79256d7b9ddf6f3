"""The claim registry against a large reference corpus: how long one article's matching takes.

    make bench-registry      # or: .venv/bin/python bench/registry_scale.py [--sizes 1000 10000 50000]

Builds, in a database of its own (`<DATABASE_URL db>_registry`), one workspace whose reference
corpus of outside fact-checks grows to each size (texts made from the project's news sentences,
each with a different figure; their vectors are random unit vectors stored as the workers store
them, so only the search is timed, not the embedding of the corpus), then times
`find_similar` for the 30 sentences of an article (what a worker does after extracting one),
best of 5, twice: the first call in a fresh process (nothing cached) and the calls after it.
"""

from __future__ import annotations

import argparse
import os
import time

from benchdb import ensure_database, use_own_database

_GIVEN_DATABASE = os.environ.get("DATABASE_URL")  # the child processes add the suffix again
use_own_database("registry")

import django  # noqa: E402

QUERIES = 30


def corpus_texts(count: int) -> list[str]:
    from checkworthy_eval import articles  # the news2 dev sentences, laid end to end

    sentences = [s for text, _ in articles() for s in text.split(". ") if len(s) > 40]
    return [f"{sentences[n % len(sentences)]} ({n} cas)" for n in range(count)]


def grow(workspace_id: int, size: int) -> None:
    """Add reference claims (and their vectors) until the workspace holds ``size``."""
    import numpy as np

    from annotations.extraction.embeddings import to_bytes
    from annotations.models import ReferenceClaim, TextVector
    from annotations.services.embedding import current_embedder
    from annotations.services.matching import _digest

    embedder = current_embedder()
    assert embedder is not None, "the registry bench needs the embedding model"
    have = ReferenceClaim.objects.filter(workspace_id=workspace_id).count()
    if have >= size:
        return
    texts = corpus_texts(size)[have:]
    generator = np.random.default_rng(have)
    for begin in range(0, len(texts), 2000):
        chunk = texts[begin : begin + 2000]
        made = ReferenceClaim.objects.bulk_create(
            ReferenceClaim(
                workspace_id=workspace_id,
                url=f"https://factcheck.example/{have + begin + n}",
                claim_text=text,
                language="fr",
                origin="bench",
            )
            for n, text in enumerate(chunk)
        )
        vectors = generator.standard_normal((len(chunk), embedder.dimension)).astype("float32")
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        TextVector.objects.bulk_create(
            TextVector(
                workspace_id=workspace_id,
                reference=reference,
                model=embedder.name,
                digest=_digest(reference.claim_text),
                vector=to_bytes(vector),
            )
            for reference, vector in zip(made, vectors, strict=True)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)  # one size, this process
    options = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from annotations.models import ReferenceClaim, Workspace
    from annotations.services.matching import find_similar
    from annotations.services.workspaces import workspace_create

    if options.measure:
        from annotations.services.embedding import current_embedder

        workspace = Workspace.objects.get(name="Registry bench")
        queries = corpus_texts(QUERIES + 7)[7:]
        current_embedder().embed(["the model's load is not what is timed"])  # type: ignore[union-attr]
        started = time.perf_counter()
        find_similar(workspace_id=workspace.pk, texts=queries)
        first = time.perf_counter() - started
        times = []
        for _ in range(5):
            started = time.perf_counter()
            find_similar(workspace_id=workspace.pk, texts=queries)
            times.append(time.perf_counter() - started)
        print(f"{options.measure:>8,}  {1000 * first:10.0f}  {1000 * min(times):10.0f}")
        return

    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(username="bench-registry")
    workspace = Workspace.objects.filter(name="Registry bench").first() or workspace_create(
        user=user, name="Registry bench"
    )
    # Each run starts from an empty corpus and grows it through the sizes, smallest first.
    ReferenceClaim.objects.filter(workspace=workspace).delete()
    print(f"find_similar for {QUERIES} sentences, PostgreSQL, best of 5 after the first call")
    print(f"{'corpus':>8}  {'first ms':>10}  {'then ms':>10}")
    import subprocess
    import sys

    for size in sorted(options.sizes):
        grow(workspace.pk, size)
        # A fresh process per size, so that nothing but the model (loaded before timing) is
        # cached for its first call.
        environment = dict(os.environ)
        environment.pop("DATABASE_URL")
        if _GIVEN_DATABASE:
            environment["DATABASE_URL"] = _GIVEN_DATABASE
        subprocess.run(
            [sys.executable, __file__, "--measure", str(size)],
            check=True,
            timeout=1800,
            env=environment,
        )


if __name__ == "__main__":
    main()
