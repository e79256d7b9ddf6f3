"""Check-worthiness that holds on text nobody tuned on (issue 12): the shipped model (rules plus
the sentence embedding, ``embed-1``) against the rules, on held-out news, on debates, and its
speed.

    .venv/bin/python bench/checkworthy_eval.py news2 [--split test|dev]
    .venv/bin/python bench/checkworthy_eval.py clef [--data DIR]
    .venv/bin/python bench/checkworthy_eval.py speed [--articles N]
    .venv/bin/python bench/checkworthy_eval.py all

``news2``: the second news set's French and English halves (bench/data/news2), per language:
precision, recall and F1 at the default threshold, average precision over all the sentences
pooled, and mean average precision over articles, for the shipped default and the rules. The
**test** halves are held out: run this once, with frozen settings, and do not look at their
sentences. The default model was trained on the dev halves, so ``--split dev`` figures are
in-sample (a check that the code runs, nothing more).

``clef``: the CLEF CheckThat! 2019 English training debates, read from
``../shared/data/clef2019-en`` at run time (never copied; no model trained on them is saved).
The debates, sorted by file name, make two fixed groups (the first half and the rest); each
group is scored by models trained on the other: the shipped default (trained on neither), the
rules, a TF-IDF + logistic regression baseline, the project's n-gram model
(``train_claim_scorer --features ngrams``) and the embedding model (``train_claim_scorer``'s
default). Prints MAP per held-out group and over all debates.

``speed``: news articles of about 800 words (sentences of the news2 dev articles laid end to
end) through ``extract_candidates`` in one process on one core (OMP/OpenBLAS threads 1), with
the shipped model and with the rules (``EMBEDDING_MODEL=none``), each in a fresh process:
articles per second and the process's peak RSS. Matching candidates against checked claims,
which a worker also does, is not included.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotations.extraction.evaluation import (  # noqa: E402
    ClefLine,
    average_precision,
    f1_at_threshold,
    read_clef_tsv,
)
from annotations.extraction.pipeline import (  # noqa: E402
    DEFAULT_THRESHOLD,
    default_scorer,
    extract_candidates,
    score_sentences,
)
from annotations.extraction.scoring import RuleScorer, SentenceScorer  # noqa: E402

NEWS2 = ROOT / "bench" / "data" / "news2"
DEFAULT_CLEF = ROOT.parent / "shared" / "data" / "clef2019-en"
ARTICLE_WORDS = 800

Scores = Callable[[Sequence[str], str], list[float]]


def scorer_scores(scorer: SentenceScorer) -> Scores:
    def scores(sentences: Sequence[str], language: str) -> list[float]:
        return [result.score for result in score_sentences(scorer, sentences, language)]

    return scores


# --- news2 -----------------------------------------------------------------------------------


def news2(split: str) -> None:
    shipped = default_scorer()
    rules = RuleScorer()
    if shipped.name == rules.name:
        print("warning: no embedder loaded, the default is the rules")
    print(f"news2 {split} halves; threshold {DEFAULT_THRESHOLD}")
    if split == "dev":
        print(f"({shipped.name} was trained on these: in-sample figures)")
    print(f"{'language':8} {'scorer':10} {'P':>6} {'R':>6} {'F1':>6} {'AP':>6} {'MAP':>6}  counts")
    for language in ("fr", "en"):
        articles = {
            path.stem: read_clef_tsv(path)
            for path in sorted((NEWS2 / language / split).glob("*.tsv"))
        }
        lines = sum(len(rows) for rows in articles.values())
        positives = sum(row.label for rows in articles.values() for row in rows)
        for scorer in (shipped, rules):
            all_scores: list[float] = []
            all_labels: list[int] = []
            aps = []
            for rows in articles.values():
                scores = scorer_scores(scorer)([row.text for row in rows], language)
                labels = [row.label for row in rows]
                all_scores += scores
                all_labels += labels
                aps.append(average_precision(scores, labels))
            m = f1_at_threshold(all_scores, all_labels, DEFAULT_THRESHOLD)
            print(
                f"{language:8} {scorer.name:10} {m.precision:6.3f} {m.recall:6.3f} {m.f1:6.3f} "
                f"{average_precision(all_scores, all_labels):6.3f} {sum(aps) / len(aps):6.3f}  "
                f"tp {m.true_positives} fp {m.false_positives} fn {m.false_negatives} "
                f"({len(articles)} articles, {lines} sentences, {positives} check-worthy)"
            )


# --- CLEF ------------------------------------------------------------------------------------


def tfidf_baseline(training: Sequence[tuple[str, str, int]]) -> Scores:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    features = vectorizer.fit_transform([text for text, _, _ in training])
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000)
    model.fit(features, [label for _, _, label in training])

    def scores(sentences: Sequence[str], language: str) -> list[float]:
        return [float(v) for v in model.predict_proba(vectorizer.transform(sentences))[:, 1]]

    return scores


def clef(data: Path) -> None:
    from annotations.extraction.checkworthy import (
        CachingEmbedder,
        default_embedder,
        train_embedding_scorer,
    )
    from annotations.extraction.learned import train_scorer

    debates: dict[str, list[ClefLine]] = {
        path.stem: read_clef_tsv(path) for path in sorted(data.glob("*.tsv"))
    }
    if not debates:
        raise SystemExit(f"no .tsv files in {data}")
    names = list(debates)
    half = len(names) // 2
    groups = {"A": names[:half], "B": names[half:]}
    lines = sum(len(rows) for rows in debates.values())
    positives = sum(row.label for rows in debates.values() for row in rows)
    print(
        f"CLEF 2019 training debates: {len(debates)} debates, {lines} sentences, {positives} "
        f"check-worthy"
    )
    for key, members in groups.items():
        print(f"group {key}: {len(members)} debates, {members[0]} .. {members[-1]}")
    embedder = default_embedder()
    if embedder is None:
        raise SystemExit("no embedder loaded: the embedding figures need it")
    cached = CachingEmbedder(embedder)
    shipped = default_scorer()
    results: dict[str, dict[str, float]] = {}
    for held, trained in (("B", "A"), ("A", "B")):
        training = [
            (row.text, "en", row.label) for name in groups[trained] for row in debates[name]
        ]
        started = time.perf_counter()
        scorers: dict[str, Scores] = {
            f"shipped default ({shipped.name}, not trained on CLEF)": scorer_scores(shipped),
            "rules (rules-1)": scorer_scores(RuleScorer()),
            "TF-IDF + LR, trained on the other group": tfidf_baseline(training),
            "n-gram model (--features ngrams), other group": scorer_scores(
                train_scorer(training, version="clef-ngrams")
            ),
            "embedding model (train_claim_scorer default), other group": scorer_scores(
                train_embedding_scorer(training, version="clef-embed", embedder=cached)
            ),
        }
        print(f"\n(trainings on group {trained}: {time.perf_counter() - started:.0f} s)")
        for title, scores in scorers.items():
            for name in groups[held]:
                rows = debates[name]
                ap = average_precision(
                    scores([row.text for row in rows], "en"), [row.label for row in rows]
                )
                results.setdefault(title, {})[name] = ap
    print(f"\n{'MAP':58} {'on A':>6} {'on B':>6} {'all 19':>6}")
    for title, per_debate in results.items():
        on = {
            key: sum(per_debate[name] for name in members) / len(members)
            for key, members in groups.items()
        }
        overall = sum(per_debate.values()) / len(per_debate)
        print(f"{title:58} {on['A']:6.3f} {on['B']:6.3f} {overall:6.3f}")
    baseline = results["TF-IDF + LR, trained on the other group"]
    embedded = results["embedding model (train_claim_scorer default), other group"]
    ratio = (sum(embedded.values()) / len(embedded)) / (sum(baseline.values()) / len(baseline))
    print(f"embedding model / TF-IDF + LR (MAP over all debates): {ratio:.2f}x")


# --- speed -----------------------------------------------------------------------------------


def articles() -> list[tuple[str, str]]:
    """(text, language) of news-length articles: dev sentences laid end to end, paragraphs of
    three sentences, cut at about ARTICLE_WORDS words."""
    made: list[tuple[str, str]] = []
    for language in ("fr", "en"):
        sentences = [
            row.text
            for path in sorted((NEWS2 / language / "dev").glob("*.tsv"))
            for row in read_clef_tsv(path)
        ]
        current: list[str] = []
        words = 0
        for sentence in sentences:
            current.append(sentence)
            words += len(sentence.split())
            if words >= ARTICLE_WORDS:
                paragraphs = [" ".join(current[i : i + 3]) for i in range(0, len(current), 3)]
                made.append(("\n\n".join(paragraphs), language))
                current, words = [], 0
    return made


def speed_worker(count: int) -> None:
    """One measurement in this process (the parent sets EMBEDDING_MODEL)."""
    texts = articles()
    started = time.perf_counter()
    scorer = default_scorer()
    extract_candidates(texts[0][0], language=texts[0][1], scorer=scorer)
    load = time.perf_counter() - started
    words = 0
    started = time.perf_counter()
    cpu = time.process_time()
    for index in range(count):
        text, language = texts[index % len(texts)]
        extract_candidates(text, language=language, scorer=scorer)
        words += len(text.split())
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "scorer": scorer.name,
                "articles": count,
                "mean_words": round(words / count),
                "articles_per_second": round(count / elapsed, 2),
                "articles_per_cpu_second": round(count / cpu, 2),
                "load_seconds": round(load, 2),
                "peak_rss_mb": round(peak_kb / 1024, 1),
            }
        )
    )


def speed(count: int) -> None:
    print(f"speed: {count} articles, one process, one core (OMP/OpenBLAS threads 1)")
    for setting in ("", "none"):
        environment = dict(os.environ, EMBEDDING_MODEL=setting, EMBEDDING_THREADS="1")
        for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            environment[variable] = "1"
        output = subprocess.run(
            [sys.executable, __file__, "speed-worker", str(count)],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        figures = json.loads(output.strip().splitlines()[-1])
        print(
            f"  {figures['scorer']:8} {figures['articles_per_second']:7.2f} articles/s "
            f"({figures['articles_per_cpu_second']:.2f} per CPU-second; about {figures['mean_words']} words each; first article with loading "
            f"{figures['load_seconds']} s), peak RSS {figures['peak_rss_mb']} MB"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    news = commands.add_parser("news2")
    news.add_argument("--split", choices=("test", "dev"), default="test")
    debates = commands.add_parser("clef")
    debates.add_argument("--data", type=Path, default=DEFAULT_CLEF)
    timing = commands.add_parser("speed")
    timing.add_argument("--articles", type=int, default=200)
    worker = commands.add_parser("speed-worker")
    worker.add_argument("count", type=int)
    every = commands.add_parser("all")
    every.add_argument("--data", type=Path, default=DEFAULT_CLEF)
    args = parser.parse_args(argv)
    if args.command == "news2":
        news2(args.split)
    elif args.command == "clef":
        clef(args.data)
    elif args.command == "speed":
        speed(args.articles)
    elif args.command == "speed-worker":
        speed_worker(args.count)
    else:
        news2("test")
        print()
        clef(args.data)
        print()
        speed(200)


if __name__ == "__main__":
    main()
