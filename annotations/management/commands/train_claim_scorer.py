"""Train a check-worthiness model from a workspace's decisions or from labelled TSV files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.extraction.pipeline import DEFAULT_THRESHOLD
from annotations.extraction.training import (
    DEFAULT_FOLDS,
    LabelledSentence,
    TrainingDataError,
    check_examples,
    class_counts,
    cross_validate,
    examples_from_tsv,
)
from annotations.models import ScorerModel, Workspace

if TYPE_CHECKING:
    from annotations.extraction.learned import LearnedScorer

from ._claim_cli import checked_language, checked_threshold

_VERSION_MAX = ScorerModel._meta.get_field("version").max_length or 100


class Command(BaseCommand):
    help = (
        "Train a check-worthiness model (logistic regression over the rules' features and the "
        "multilingual sentence embedding; word and character n-grams instead when no embedder "
        "loads, or with --features ngrams) from a workspace's accepted and dismissed candidates and "
        "hand-marked claims (--workspace), or from labelled TSV files in the CLEF CheckThat! "
        "format (--from-tsv). The model is cross-validated (whole articles or files per fold), "
        "then trained on everything and stored, versioned, for the workspace (--activate: the "
        "workspace extracts with it from now on) and/or written to a file (--output)."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # `--version` names the model here; Django's own --version (its release) gives way.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--workspace", type=int, metavar="ID", help="Train from, and store for, this workspace."
        )
        parser.add_argument(
            "--from-tsv",
            nargs="+",
            metavar="FILE",
            help="Train from these labelled files instead (line_number, speaker, text, label).",
        )
        parser.add_argument(
            "--language", default="en", help="Language of the --from-tsv files (default en)."
        )
        parser.add_argument("--version", dest="model_version", help="Model version (unique).")
        parser.add_argument(
            "--activate", action="store_true", help="Make it the workspace's active scorer."
        )
        parser.add_argument("--output", metavar="PATH", help="Also write the model to this file.")
        parser.add_argument(
            "--features",
            choices=("auto", "ngrams", "embeddings"),
            default="auto",
            help="What the model reads besides the rules' features: the sentence embedding "
            "(EMBEDDING_MODEL; holds better on text unlike the training data, saved as JSON), "
            "or word and character n-grams. Default: the embedding when the embedder loads, "
            "else n-grams.",
        )
        parser.add_argument(
            "--folds",
            type=int,
            default=DEFAULT_FOLDS,
            help=f"Cross-validation folds for the stored metrics (default {DEFAULT_FOLDS}; 0: skip).",
        )
        parser.add_argument(
            "--threshold",
            type=float,
            help="Threshold for the precision/recall/F1 metrics (default: the workspace's, "
            f"else {DEFAULT_THRESHOLD}).",
        )
        parser.add_argument(
            "--no-article-negatives",
            action="store_true",
            help="Workspace training: do not take the unmarked sentences of articles with "
            "hand-marked claims as not check-worthy.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self._workspace(options["workspace"])
        files: list[str] | None = options["from_tsv"]
        if workspace is None and not files:
            raise CommandError("give --workspace ID (train on its decisions) or --from-tsv FILE...")
        if workspace is None and not options["output"]:
            raise CommandError(
                "say where the model goes: --workspace ID to store it, --output PATH for a file"
            )
        if options["activate"] and workspace is None:
            raise CommandError("--activate needs --workspace")
        if options["folds"] == 1 or options["folds"] < 0:
            raise CommandError("--folds must be 0 (no evaluation) or at least 2")
        threshold = checked_threshold(
            options["threshold"]
            if options["threshold"] is not None
            else (workspace.candidate_threshold if workspace else DEFAULT_THRESHOLD)
        )
        version = self._version(options["model_version"], workspace, store=workspace is not None)
        output = self._output(options["output"])
        train = self._trainer(options["features"])

        if files:
            language = checked_language(options["language"]) or "en"
            examples, unit = self._from_files(files, language), "file"
            source = f"files ({language}): " + ", ".join(Path(f).name for f in files)
        else:
            assert workspace is not None
            from annotations.services.scorers import workspace_training_examples

            examples = workspace_training_examples(
                workspace_id=workspace.pk, article_negatives=not options["no_article_negatives"]
            )
            unit = "article"
            source = f"workspace {workspace.pk} ({workspace.name}): reviewers' decisions"
        try:
            check_examples(examples)
        except TrainingDataError as error:
            raise CommandError(f"cannot train: {error}") from None
        positives, negatives = class_counts(examples)
        groups = len({example.group for example in examples})
        self.stdout.write(
            f"{len(examples)} sentences ({positives} check-worthy, {negatives} other) "
            f"from {groups} {unit}{'s' if groups != 1 else ''}"
        )
        metrics = self._evaluate(examples, options["folds"], threshold, unit, train)
        metrics |= {"n_positive": positives, "n_negative": negatives, unit + "s": groups}

        scorer = train(
            [(example.text, example.language, example.label) for example in examples],
            version=version,
        )
        if output is not None:
            output.write_bytes(scorer.dumps())
            self.stdout.write(f"model {version} written to {output}")
        if workspace is not None:
            from annotations.services.scorers import scorer_model_store

            stored = scorer_model_store(
                # Both kinds of model have what storing reads: name, metadata.n_examples, dumps().
                scorer=cast("LearnedScorer", scorer),
                workspace_id=workspace.pk,
                trained_from=source,
                metrics=metrics,
                activate=options["activate"],
            )
            state = "active" if stored.is_active else "not active (activate it in the admin)"
            self.stdout.write(
                self.style.SUCCESS(f"model {version} stored for workspace {workspace.pk}: {state}")
            )

    def _trainer(self, features: str) -> Callable[..., Any]:
        from annotations.extraction.checkworthy import CachingEmbedder, train_embedding_scorer
        from annotations.extraction.learned import train_scorer
        from annotations.services.embedding import current_embedder

        embedder = None if features == "ngrams" else current_embedder()
        if embedder is None and features == "auto":
            self.stderr.write(
                "no sentence embedder loaded (EMBEDDING_MODEL is off or the model cannot load): "
                "training on word and character n-grams"
            )
        if embedder is None and features != "embeddings":
            return train_scorer
        if embedder is None:
            raise CommandError(
                "--features embeddings: no sentence embedder loaded (EMBEDDING_MODEL is off or "
                "the model cannot load; see the log)"
            )
        # Cross-validation trains once per fold on the same sentences: embed each once.
        return partial(train_embedding_scorer, embedder=CachingEmbedder(embedder))

    def _workspace(self, workspace_id: int | None) -> Workspace | None:
        if workspace_id is None:
            return None
        workspace = Workspace.objects.filter(pk=workspace_id).first()
        if workspace is None:
            raise CommandError(f"--workspace: no workspace with id {workspace_id}")
        return workspace

    def _version(self, given: str | None, workspace: Workspace | None, *, store: bool) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        version = (given or "").strip() or (
            f"learned-ws{workspace.pk}-{stamp}" if workspace else f"learned-tsv-{stamp}"
        )
        if len(version) > _VERSION_MAX:
            raise CommandError(f"--version: at most {_VERSION_MAX} characters")
        if store and ScorerModel.objects.filter(version=version).exists():
            raise CommandError(f"--version: a model {version!r} exists already; choose another")
        return version

    def _output(self, path: str | None) -> Path | None:
        if path is None:
            return None
        output = Path(path)
        if output.is_dir():
            raise CommandError(f"--output: {path} is a directory; give a file name")
        if not output.parent.is_dir():
            raise CommandError(f"--output: no such directory: {output.parent}")
        return output

    def _from_files(self, files: list[str], language: str) -> list[LabelledSentence]:
        try:
            return examples_from_tsv(files, language=language)
        except FileNotFoundError as error:
            raise CommandError(f"--from-tsv: {error}") from None
        except (ValueError, UnicodeDecodeError) as error:
            raise CommandError(f"--from-tsv: {error}") from None

    def _evaluate(
        self,
        examples: list[LabelledSentence],
        folds: int,
        threshold: float,
        unit: str,
        train: Callable[..., Any],
    ) -> dict[str, Any]:
        if folds == 0:
            self.stdout.write("evaluation skipped (--folds 0)")
            return {"evaluation": "skipped"}
        try:
            evaluation = cross_validate(
                examples, folds=folds, threshold=threshold, unit=unit, train=train
            )
        except TrainingDataError as error:
            raise CommandError(f"cannot cross-validate: {error}") from None
        at_k = ", ".join(f"P@{k} {v:.3f}" for k, v in evaluation.precision_at.items())
        self.stdout.write(
            f"{evaluation.method}: MAP {evaluation.mean_average_precision:.3f} over "
            f"{evaluation.groups} {unit}s with a check-worthy sentence, {at_k}; at threshold "
            f"{threshold}: precision {evaluation.precision:.3f}, recall {evaluation.recall:.3f}, "
            f"F1 {evaluation.f1:.3f}"
        )
        return evaluation.as_dict()
