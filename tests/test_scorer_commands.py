"""The claim-scoring commands: training from a desk's decisions or labelled files, scoring
sentences, extracting an article's candidates and evaluating a scorer."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django import DjangoCaptureOnCommitCallbacks

from annotations.models import Article, CandidateClaim, ScorerModel, Workspace
from annotations.services.articles import article_create
from annotations.services.candidates import candidate_accept, candidate_dismiss
from annotations.services.claims import claim_create
from annotations.services.scorers import workspace_training_examples
from annotations.tasks import extract_article

BENCH = Path(__file__).resolve().parent.parent / "bench" / "data"
EN_FILES = sorted(str(path) for path in (BENCH / "en").glob("*.tsv"))
NARRATIVE = (
    "Les habitants se sont retrouvés sur la place du marché.",
    "Il faisait beau ce matin-là et l'ambiance était détendue.",
    "Chacun est reparti chez soi en fin de matinée.",
)


def run(command: str, *args: str, **options: object) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, **options)
    return out.getvalue()


def _article(
    workspace: Workspace, user: User, n: int, capture: DjangoCaptureOnCommitCallbacks
) -> Article:
    text = " ".join(
        (
            f"Les loyers ont augmenté de {n + 3} % en {2020 + n} à Lyon, selon l'Observatoire.",
            f"Le chômage a reculé de 0,{n + 1} point au trimestre, selon l'Insee.",
            f"La commune compte {1000 * (n + 2)} habitants de plus qu'en 2015, selon la mairie.",
            *NARRATIVE,
        )
    )
    with capture(execute=True):
        return article_create(user=user, workspace=workspace, text=text, language="fr")


def _decide(article: Article, erin: User) -> None:
    """Accept the candidates with a figure, dismiss the others."""
    for candidate in CandidateClaim.objects.filter(article=article, status="pending"):
        if re.search(r"\d", candidate.text):
            candidate_accept(user=erin, candidate=candidate)
        else:
            candidate_dismiss(user=erin, candidate=candidate)


@pytest.fixture
def desk(
    workspace: Workspace,
    erin: User,
    bob: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> Workspace:
    """Four articles: bob highlighted the first sentence of each by hand, erin decided every
    candidate."""
    for n in range(4):
        article = _article(workspace, erin, n, django_capture_on_commit_callbacks)
        end = article.text.index(" Le chômage")
        claim_create(user=bob, article=article, start=0, end=end)
        _decide(article, erin)
    return workspace


def test_it_labels_the_sentences_reviewers_decided_and_those_they_passed_over(
    desk: Workspace,
) -> None:
    examples = workspace_training_examples(workspace_id=desk.pk)
    assert len({e.group for e in examples}) == 4
    labels = {(e.group, e.text): e.label for e in examples}
    assert {label for (_, text), label in labels.items() if re.search(r"\d", text)} == {1}
    assert {label for (_, text), label in labels.items() if text in NARRATIVE} == {0}
    assert sum(1 for e in examples if e.label) == 12 and len(examples) == 24
    explicit = workspace_training_examples(workspace_id=desk.pk, article_negatives=False)
    # Without them only the decisions remain (and the rules did not propose the narrative).
    assert {e.label for e in explicit} == {1} and len(explicit) == 12


def test_it_trains_a_desks_model_from_its_reviewers_and_extracts_with_it(
    desk: Workspace, erin: User
) -> None:
    out = run(
        "train_claim_scorer", "--workspace", str(desk.pk), "--version", "desk-1", "--activate"
    )
    assert "24 sentences (12 check-worthy, 12 other) from 4 articles" in out
    assert "leave-one-article-out (4 articles): MAP" in out
    model = ScorerModel.objects.get(version="desk-1")
    assert model.is_active and model.workspace_id == desk.pk and model.n_examples == 24
    assert model.trained_from.startswith(f"workspace {desk.pk}")
    assert model.metrics["n_positive"] == 12 and model.metrics["folds"] == 4
    assert 0 <= model.metrics["mean_average_precision"] <= 1 and "f1" in model.metrics

    article = article_create(
        user=erin, workspace=desk, text="Les prix ont augmenté de 7 % en 2025, selon l'Insee."
    )
    extract_article.apply(args=(article.pk,))
    assert {c.scorer for c in CandidateClaim.objects.filter(article=article)} == {"desk-1"}

    run("train_claim_scorer", "--workspace", str(desk.pk), "--activate", "--folds", "0")
    models = ScorerModel.objects.filter(workspace=desk)
    assert models.count() == 2 and models.filter(is_active=True).count() == 1
    assert not models.get(version="desk-1").is_active


def test_it_refuses_to_train_on_one_class_or_too_few_examples(
    workspace: Workspace,
    erin: User,
    bob: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    _decide(_article(workspace, erin, 0, django_capture_on_commit_callbacks), erin)
    with pytest.raises(CommandError, match="only one class"):
        run("train_claim_scorer", "--workspace", str(workspace.pk))
    second = _article(workspace, erin, 1, django_capture_on_commit_callbacks)
    start = second.text.index(NARRATIVE[2])
    claim_create(user=bob, article=second, start=start, end=start + len(NARRATIVE[2]))
    with pytest.raises(
        CommandError, match=re.escape("too few examples (4 check-worthy and 2 other")
    ):
        run("train_claim_scorer", "--workspace", str(workspace.pk))
    assert not ScorerModel.objects.exists()


def test_it_trains_from_labelled_files_into_a_model_file_that_scores(
    tmp_path: Path, db: None
) -> None:
    model = tmp_path / "en.model"
    out = run("train_claim_scorer", "--from-tsv", *EN_FILES, "--output", str(model), "--folds", "4")
    assert "91 sentences (52 check-worthy, 39 other) from 4 files" in out
    assert "leave-one-file-out (4 files)" in out
    assert model.stat().st_size > 0 and not ScorerModel.objects.exists()

    sentences = tmp_path / "sentences.txt"
    sentences.write_text("Crime rose by 12% last year.\nWe met at noon.\n", encoding="utf-8")
    scored = run("score_sentences", str(sentences), "--language", "en", "--model", str(model))
    first, second = scored.splitlines()
    assert float(first.split("\t")[0]) > float(second.split("\t")[0])
    evaluated = run("evaluate_claim_scorer", *EN_FILES, "--model", str(model))
    assert "scorer: learned-tsv-" in evaluated


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "--workspace ID"),
        (["--from-tsv", "/no/such/file.tsv", "--output", "{out}"], "no such file"),
        (["--from-tsv", *EN_FILES], "say where the model goes"),
        (
            ["--from-tsv", *EN_FILES, "--output", "{out}/../no/such/dir/x.model"],
            "no such directory",
        ),
        (["--from-tsv", *EN_FILES, "--output", "{out}", "--activate"], "needs --workspace"),
        (["--workspace", "999999"], "no workspace with id 999999"),
        (["--from-tsv", *EN_FILES, "--output", "{out}", "--folds", "1"], "--folds"),
        (
            ["--from-tsv", *EN_FILES, "--output", "{out}", "--threshold", "2"],
            "between 0 and 1",
        ),
    ],
)
def test_it_explains_what_is_wrong_with_a_training_request(
    arguments: list[str], message: str, db: None, tmp_path: Path
) -> None:
    out = str(tmp_path / "x.model")
    with pytest.raises(CommandError, match=re.escape(message)):
        run("train_claim_scorer", *(argument.format(out=out) for argument in arguments))
    assert not (tmp_path / "x.model").exists()


def test_it_names_the_bad_line_of_a_labelled_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tsv"
    broken.write_text("1\tA\tFine sentence.\t0\n2\tB\tNo label here\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.tsv:2"):
        run("train_claim_scorer", "--from-tsv", str(broken), "--output", str(tmp_path / "m"))
    with pytest.raises(CommandError, match=r"broken\.tsv:2"):
        run("evaluate_claim_scorer", str(broken))


def test_it_refuses_a_model_version_that_exists(desk: Workspace) -> None:
    run("train_claim_scorer", "--workspace", str(desk.pk), "--version", "v1", "--folds", "0")
    with pytest.raises(CommandError, match="exists already"):
        run("train_claim_scorer", "--workspace", str(desk.pk), "--version", "v1")


def test_it_scores_one_sentence_a_line_with_kinds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        "Unemployment fell to 3.5 percent in September, the lowest rate since 1969.",
        "",
        "I went to the market this morning.",
        "The new law bans smoking in all parks from 2027.",
    ]
    source = tmp_path / "sentences.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = run("score_sentences", str(source), "--language", "en").splitlines()
    assert len(out) == len(lines)
    assert all(re.fullmatch(r"[01]\.\d{4}\t[a-z_,]*", line) for line in out), out
    scores = [float(line.split("\t")[0]) for line in out]
    kinds = [line.split("\t")[1].split(",") for line in out]
    assert scores[0] > 0.9 and "quantity" in kinds[0]
    assert out[1] == "0.0000\t"
    assert scores[2] < 0.35 and "laws_rules" in kinds[3]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines)))
    assert run("score_sentences", "-", "--language", "en").splitlines() == out


def test_it_prints_an_articles_candidates_as_json_lines(tmp_path: Path) -> None:
    text = (
        "Le chômage a reculé de 0,3 point au troisième trimestre, selon l'Insee.\r\n"
        "« Nous avons créé plus de 40 000 emplois », a déclaré Élisabeth Borne. "
        "Il faisait beau. Une trentaine de départements restent au-dessus de 9 %.\n"
    )
    source = tmp_path / "article.txt"
    source.write_bytes(text.encode("utf-8"))
    lines = [
        json.loads(line)
        for line in run("extract_claims", str(source), "--language", "fr").splitlines()
    ]
    stored = text.replace("\r\n", "\n")
    assert len(lines) == 3
    for line in lines:
        assert set(line) >= {"start", "end", "text", "score", "kinds", "claimant"}
        assert stored[line["start"] : line["end"]] == line["text"]
        assert 0.35 <= line["score"] <= 1
    assert lines[0]["claimant"] == "Insee" and lines[1]["claimant"] == "Élisabeth Borne"
    assert "quotation" in lines[1]["kinds"] and lines[2]["claimant"] is None
    strict = run("extract_claims", str(source), "--language", "fr", "--threshold", "0.99")
    assert len(strict.splitlines()) < 3


def test_it_evaluates_the_rules_on_labelled_files(monkeypatch: pytest.MonkeyPatch) -> None:
    # The rules are the default where no embedder loads (the shipped model was trained on these).
    monkeypatch.setenv("EMBEDDING_MODEL", "none")
    out = run("evaluate_claim_scorer", *EN_FILES, "--k", "5", "10")
    assert "scorer: rules-1" in out
    mean = next(line for line in out.splitlines() if line.startswith("mean (MAP, mean P@k)"))
    figures = [float(value) for value in mean.split()[-3:]]
    assert all(0 <= value <= 1 for value in figures) and figures[0] > 0.5
    assert re.search(r"at threshold 0\.35: precision 0\.\d{3}, recall 0\.\d{3}, F1 0\.\d{3}", out)


@pytest.mark.parametrize(
    ("command", "arguments", "message"),
    [
        ("score_sentences", ["/no/such/file.txt"], "no such file"),
        ("score_sentences", ["-", "--language", "english!"], "--language"),
        ("score_sentences", ["-", "--model", "/no/such.model"], "--model: no such file"),
        ("score_sentences", ["-", "--model", __file__], "is not a claim scorer model"),
        ("extract_claims", ["-", "--threshold", "1.5"], "between 0 and 1"),
        ("extract_claims", [str(BENCH)], "is a directory"),
        ("evaluate_claim_scorer", ["/no/such/file.tsv"], "no such file"),
        ("evaluate_claim_scorer", [*EN_FILES, "--k", "0"], "--k"),
    ],
)
def test_it_explains_a_bad_command_line(command: str, arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        run(command, *arguments)
