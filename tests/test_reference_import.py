"""Importing outside fact-checks (ClaimReview JSON-LD, Fact Check Tools JSON) into a workspace's
reference corpus: formats, one row per review page, the rating mapped onto the desk's scale,
problems reported per item, the command, and matching across languages afterwards.

The fact-checks, publishers and figures below are invented."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.models import ReferenceClaim, VerdictLabel, Workspace
from annotations.services import references
from annotations.services.matching import find_similar
from annotations.services.references import Problem, references_import
from annotations.services.workspaces import VerdictSpec, workspace_create

ROOT = Path(__file__).resolve().parent.parent
WATER = "The town of Valmorin cut its municipal water price by 12% in 2025."
WATER_FR = "La commune de Valmorin a baissé de 12 % le prix de l'eau municipale en 2025."


def claim_review(
    url: str | None = "https://verif.example.org/eau-valmorin", **fields: Any
) -> dict[str, Any]:
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": "Valmorin a baissé de 12 % le prix de l'eau en 2025.",
        "name": "Non, le prix de l'eau n'a pas baissé à Valmorin",
        "datePublished": "2026-03-04",
        "inLanguage": "fr",
        "author": {
            "@type": "Organization",
            "name": "Vérif'Express",
            "url": "https://www.verif.example.org/",
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Odile Fabre"},
            "datePublished": "2026-02-27",
        },
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 1,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "Faux",
        },
    }
    review.update(fields)
    return review


def fact_check_tools() -> dict[str, Any]:
    return {
        "claims": [
            {
                "text": "Half of the nurses in Brissac left the public hospital in two years.",
                "claimant": "Marc Deloin",
                "claimDate": "2026-01-12T00:00:00Z",
                "languageCode": "en",
                "claimReview": [
                    {
                        "publisher": {
                            "name": "Checkpoint Weekly",
                            "site": "checkpoint.example.com",
                        },
                        "url": "https://checkpoint.example.com/brissac-nurses",
                        "title": "No, half of Brissac's nurses did not leave",
                        "reviewDate": "2026-01-20T09:30:00Z",
                        "textualRating": "Mostly false",
                        "languageCode": "en",
                    },
                    {
                        "publisher": {"name": "Le Contrôleur", "site": "controleur.example.fr"},
                        "url": "https://controleur.example.fr/infirmieres-brissac",
                        "title": "Infirmières de Brissac : un chiffre exagéré",
                        "reviewDate": "2026-01-22",
                        "textualRating": "Plutôt faux",
                        "languageCode": "fr",
                    },
                ],
            }
        ]
    }


def run(workspace: Workspace, items: list[Any], origin: str = "test") -> references.ImportOutcome:
    return references_import(workspace=workspace, items=items, origin=origin)


def slug_of(reference: ReferenceClaim) -> str | None:
    return reference.verdict.slug if reference.verdict else None


# --- Formats ------------------------------------------------------------------------------------


def test_it_imports_one_claimreview_object_with_all_its_fields(workspace: Workspace) -> None:
    outcome = run(workspace, [claim_review()], origin="desk-upload")

    assert (outcome.created, outcome.updated, outcome.skipped, outcome.problems) == (1, 0, 0, [])
    ref = ReferenceClaim.objects.get(workspace=workspace)
    assert ref.url == "https://verif.example.org/eau-valmorin"
    assert ref.claim_text == "Valmorin a baissé de 12 % le prix de l'eau en 2025."
    assert ref.claimant == "Odile Fabre"
    assert ref.claim_date == date(2026, 2, 27)
    assert ref.review_date == date(2026, 3, 4)
    assert ref.language == "fr"
    assert ref.title == "Non, le prix de l'eau n'a pas baissé à Valmorin"
    assert (ref.publisher, ref.publisher_site) == ("Vérif'Express", "verif.example.org")
    assert (ref.rating, ref.rating_value, ref.rating_best, ref.rating_worst) == ("Faux", 1, 5, 1)
    assert slug_of(ref) == "false"
    assert ref.origin == "desk-upload"


def test_it_imports_a_list_and_a_graph(workspace: Workspace) -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "@id": "#page", "name": "Nos vérifications"},
            {
                "@type": "Organization",
                "@id": "#org",
                "name": "Le Contrôleur",
                "url": "https://controleur.example.fr",
            },
            {
                "@type": ["ClaimReview"],
                "url": "https://controleur.example.fr/bus-gratuits",
                "claimReviewed": "Les bus de Lormont sont gratuits depuis janvier.",
                "author": {"@id": "#org"},
                "itemReviewed": {
                    "@type": "Claim",
                    "author": "Paul Sérac",
                    "appearance": [{"@type": "CreativeWork", "datePublished": "2026-01-15"}],
                },
                "reviewRating": {"@type": "Rating", "alternateName": "Vrai"},
            },
        ],
    }
    listed = [
        claim_review(),
        claim_review(
            "https://verif.example.org/ecoles", claimReviewed="Onze écoles ont fermé à Saint-Arvel."
        ),
    ]

    assert run(workspace, [graph]).created == 1
    assert run(workspace, listed).created == 2

    bus = ReferenceClaim.objects.get(url="https://controleur.example.fr/bus-gratuits")
    assert (bus.publisher, bus.publisher_site, bus.claimant) == (
        "Le Contrôleur",
        "controleur.example.fr",
        "Paul Sérac",
    )
    assert bus.claim_date == date(2026, 1, 15)
    assert (bus.rating, bus.rating_value, slug_of(bus)) == ("Vrai", None, "true")
    assert ReferenceClaim.objects.filter(workspace=workspace).count() == 3


def test_the_command_reads_single_objects_arrays_and_graphs(
    workspace: Workspace, tmp_path: Path
) -> None:
    single = tmp_path / "one.json"
    single.write_text(json.dumps(claim_review()), encoding="utf-8")
    array = tmp_path / "many.jsonld"
    array.write_text(
        json.dumps([claim_review(f"https://verif.example.org/{n}") for n in range(3)]),
        encoding="utf-8",
    )
    graph = tmp_path / "graph.jsonld"
    graph.write_text(
        json.dumps({"@graph": [claim_review("https://verif.example.org/g")]}), encoding="utf-8"
    )

    out, err = command(workspace, str(single), str(array), str(graph))

    assert out.splitlines() == [
        f"{single}: 1 created, 0 updated, 0 unchanged, 0 skipped",
        f"{array}: 3 created, 0 updated, 0 unchanged, 0 skipped",
        f"{graph}: 1 created, 0 updated, 0 unchanged, 0 skipped",
    ]
    assert err == ""
    assert ReferenceClaim.objects.filter(workspace=workspace).count() == 5


def test_it_imports_each_review_of_a_fact_check_tools_claim(workspace: Workspace) -> None:
    outcome = run(workspace, [fact_check_tools()])

    assert (outcome.created, outcome.skipped, outcome.problems) == (2, 0, [])
    english, french = ReferenceClaim.objects.filter(workspace=workspace).order_by("review_date")
    for ref in (english, french):
        assert (
            ref.claim_text == "Half of the nurses in Brissac left the public hospital in two years."
        )
        assert (ref.claimant, ref.claim_date) == ("Marc Deloin", date(2026, 1, 12))
    assert english.url == "https://checkpoint.example.com/brissac-nurses"
    assert (english.publisher, english.publisher_site) == (
        "Checkpoint Weekly",
        "checkpoint.example.com",
    )
    assert (english.title, english.review_date, english.language) == (
        "No, half of Brissac's nurses did not leave",
        date(2026, 1, 20),
        "en",
    )
    assert (english.rating, slug_of(english)) == ("Mostly false", "mostly-false")
    assert (french.rating, slug_of(french), french.language) == (
        "Plutôt faux",
        "mostly-false",
        "fr",
    )

    # One claim of a response, given alone (as a .jsonl line would), reads the same.
    alone = fact_check_tools()["claims"][0]
    assert run(workspace, [alone]).unchanged == 2


# --- One row per review page --------------------------------------------------------------------


def test_importing_a_page_again_updates_its_row(workspace: Workspace) -> None:
    run(workspace, [claim_review()])
    first = ReferenceClaim.objects.get(workspace=workspace)

    again = run(workspace, [claim_review()])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)

    corrected = claim_review(
        reviewRating={
            "@type": "Rating",
            "ratingValue": 2,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "Plutôt faux",
        }
    )
    outcome = run(workspace, [corrected, corrected])
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 1)

    ref = ReferenceClaim.objects.get(workspace=workspace)
    assert ref.pk == first.pk and ref.imported_at == first.imported_at
    assert ref.updated_at > first.updated_at
    assert (ref.rating, ref.rating_value, slug_of(ref)) == ("Plutôt faux", 2, "mostly-false")


def test_the_same_page_in_two_workspaces_is_two_rows_and_batches_do_not_duplicate(
    workspace: Workspace, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = workspace_create(user=alice, name="Other desk")
    monkeypatch.setattr(references, "BATCH_SIZE", 2)
    items = [
        claim_review(f"https://verif.example.org/{n % 3}", claimReviewed=f"Texte {n}")
        for n in range(7)
    ]

    outcome = run(workspace, items)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (3, 4, 0)
    assert run(other, [claim_review("https://verif.example.org/0")]).created == 1

    texts = dict(
        ReferenceClaim.objects.filter(workspace=workspace).values_list("url", "claim_text")
    )
    assert texts == {
        "https://verif.example.org/0": "Texte 6",
        "https://verif.example.org/1": "Texte 4",
        "https://verif.example.org/2": "Texte 5",
    }
    assert ReferenceClaim.objects.filter(workspace=other).count() == 1


# --- Ratings onto the scale ---------------------------------------------------------------------


def rated(workspace: Workspace, rating: dict[str, Any]) -> str | None:
    run(workspace, [claim_review(reviewRating={"@type": "Rating", **rating})])
    return slug_of(ReferenceClaim.objects.get(workspace=workspace))


@pytest.mark.parametrize(
    ("rating", "slug"),
    [
        ({"ratingValue": 1, "bestRating": 5, "worstRating": 1}, "false"),
        ({"ratingValue": "5", "bestRating": "5", "worstRating": "1"}, "true"),
        ({"ratingValue": 3}, "half-true"),  # schema.org's default bounds: 1 to 5
        ({"ratingValue": 2, "bestRating": 3, "worstRating": 1}, "half-true"),
        ({"ratingValue": 0.8, "bestRating": 1, "worstRating": 0}, "mostly-true"),
        ({"ratingValue": 0, "bestRating": 10, "worstRating": 0, "alternateName": "Vrai"}, "false"),
        # A value outside its bounds, or bounds that are one point: the wording decides.
        ({"ratingValue": 7, "bestRating": 5, "worstRating": 1, "alternateName": "Vrai"}, "true"),
        (
            {"ratingValue": 1, "bestRating": 1, "worstRating": 1, "alternateName": "Mostly true"},
            "mostly-true",
        ),
        ({"ratingValue": 1, "bestRating": 1, "worstRating": 1}, None),
    ],
)
def test_a_rating_value_is_placed_on_the_scale(
    workspace: Workspace, rating: dict[str, Any], slug: str | None
) -> None:
    assert rated(workspace, rating) == slug


def test_retired_labels_and_labels_without_a_value_are_not_targets_of_a_value(
    workspace: Workspace,
) -> None:
    VerdictLabel.objects.filter(workspace=workspace, slug="half-true").update(retired=True)
    # Halfway between "Mostly false" (2) and "Mostly true" (4): the lower, more cautious one.
    assert rated(workspace, {"ratingValue": 3, "bestRating": 5, "worstRating": 1}) == "mostly-false"


@pytest.mark.parametrize(
    ("wording", "slug"),
    [
        ("Faux", "false"),
        ("FALSE", "false"),
        ("Pants on Fire!", "false"),
        ("Faux : aucun chiffre ne le montre", "false"),
        ("Vrai", "true"),
        ("true", "true"),
        ("Plutôt vrai", "mostly-true"),
        ("mostly TRUE", "mostly-true"),
        ("plutot  faux", "mostly-false"),
        ("À moitié vrai", "half-true"),
        ("Half-true", "half-true"),
        ("Invérifiable", "unverifiable"),
        # No label of the default scale says these: no verdict rather than a guess.
        ("Trompeur", None),
        ("Misleading", None),
        ("Partly false", None),
        ("Satire", None),
    ],
)
def test_a_rating_wording_is_matched_to_a_label(
    workspace: Workspace, wording: str, slug: str | None
) -> None:
    assert rated(workspace, {"alternateName": wording}) == slug


@pytest.mark.parametrize(
    ("wording", "slug"),
    [
        ("False", "faux"),
        ("Pants on fire", "faux"),
        ("Misleading", "trompeur"),
        ("TROMPEUR", "trompeur"),
        ("Partly false", "partiellement-faux"),
        ("Mostly true", "plutot-vrai"),
        ("True", "vrai"),
        ("Correct", "vrai"),
        ("Exagéré", "exagere"),
    ],
)
def test_english_ratings_find_a_french_desks_labels(alice: User, wording: str, slug: str) -> None:
    french = workspace_create(
        user=alice,
        name="Desk FR",
        scale=[
            VerdictSpec("Faux", 0),
            VerdictSpec("Trompeur", 1),
            VerdictSpec("Partiellement faux", 2),
            VerdictSpec("Exagéré", 3),
            VerdictSpec("Plutôt vrai", 4),
            VerdictSpec("Vrai", 5),
        ],
    )
    assert rated(french, {"alternateName": wording}) == slug


def test_the_ends_of_any_scale_take_false_and_true(alice: User) -> None:
    """A scale whose labels say neither "false" nor "true" in any listed way."""
    desk = workspace_create(
        user=alice,
        name="Grades",
        scale=[VerdictSpec("Grade A", 10), VerdictSpec("Grade B", 20), VerdictSpec("Grade C", 30)],
    )
    assert rated(desk, {"alternateName": "Faux"}) == "grade-a"
    ReferenceClaim.objects.all().delete()
    assert rated(desk, {"alternateName": "True"}) == "grade-c"
    ReferenceClaim.objects.all().delete()
    assert rated(desk, {"alternateName": "Plutôt vrai"}) is None


# --- Problems -----------------------------------------------------------------------------------


def test_bad_items_are_skipped_and_reported_by_index_and_field(workspace: Workspace) -> None:
    response = fact_check_tools()
    response["claims"][0]["claimReview"][1]["url"] = "controleur.example.fr/infirmieres"
    response["claims"].append({"text": "Sans vérification.", "claimReview": []})
    items: list[Any] = [
        claim_review("https://verif.example.org/ok"),
        claim_review(url=None),
        claim_review("ftp://verif.example.org/fichier"),
        claim_review("https://verif.example.org/vide", claimReviewed="   "),
        "not an object",
        {"@type": "NewsArticle", "headline": "Autre chose"},
        response,
        claim_review("https://verif.example.org/date", datePublished="le 4 mars"),
    ]

    outcome = run(workspace, items)

    assert (outcome.created, outcome.skipped) == (3, 7)
    found = {(p.index, p.field, p.skipped) for p in outcome.problems}
    assert found == {
        (1, "url", True),
        (2, "url", True),
        (3, "claimReviewed", True),
        (4, "", True),
        (5, "@type", True),
        (6, "claims[0].claimReview[1].url", True),
        (6, "claims[1].claimReview", True),
        (7, "datePublished", False),
    }
    messages = {(p.index, p.field): str(p) for p in outcome.problems}
    assert messages[1, "url"] == (
        "item 1, url: no URL: the review's page is what identifies a fact-check"
    )
    assert messages[2, "url"] == (
        "item 2, url: not an http(s) URL of at most 2000 characters: "
        "'ftp://verif.example.org/fichier'"
    )
    assert messages[3, "claimReviewed"] == "item 3, claimReviewed: no claim text"
    assert messages[4, ""] == "item 4: not a JSON object"
    assert messages[6, "claims[1].claimReview"] == (
        "item 6, claims[1].claimReview: no review of this claim"
    )
    assert messages[7, "datePublished"] == (
        "item 7, datePublished: not a date (YYYY-MM-DD): 'le 4 mars' (imported without it)"
    )
    assert set(ReferenceClaim.objects.values_list("url", flat=True)) == {
        "https://verif.example.org/ok",
        "https://checkpoint.example.com/brissac-nurses",
        "https://verif.example.org/date",
    }
    assert ReferenceClaim.objects.get(url="https://verif.example.org/date").review_date is None


def test_a_claim_without_text_is_reported_once_for_all_its_reviews(workspace: Workspace) -> None:
    response = fact_check_tools()
    response["claims"][0]["text"] = ""

    outcome = run(workspace, [response])

    assert (outcome.created, outcome.skipped) == (0, 2)
    assert outcome.problems == [Problem(0, "claims[0].text", "no claim text")]
    assert not ReferenceClaim.objects.exists()


def test_a_bad_item_never_replaces_a_good_row(workspace: Workspace) -> None:
    run(workspace, [claim_review()])
    outcome = run(workspace, [claim_review(claimReviewed="")])
    assert outcome.skipped == 1
    assert ReferenceClaim.objects.get().claim_text.startswith("Valmorin a baissé")


def test_an_origin_is_required(workspace: Workspace) -> None:
    with pytest.raises(ValueError, match="origin"):
        run(workspace, [claim_review()], origin="x" * 31)


# --- The command --------------------------------------------------------------------------------


def command(workspace: Workspace | str, *files: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    key = workspace if isinstance(workspace, str) else str(workspace.pk)
    call_command("import_claimreview", *files, workspace=key, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_reads_json_lines_and_reports_problems_by_line(
    workspace: Workspace, tmp_path: Path
) -> None:
    lines = tmp_path / "reviews.jsonl"
    lines.write_text(
        "\n".join(
            [
                json.dumps(claim_review("https://verif.example.org/a")),
                "",
                json.dumps(claim_review(url="verif.example.org/b")),
                json.dumps(fact_check_tools()["claims"][0]),
            ]
        )
        + "\n",
        encoding="utf-8",
    )

    out, err = command(workspace, str(lines))

    assert out == f"{lines}: 3 created, 0 updated, 0 unchanged, 1 skipped\n"
    assert err.splitlines() == [
        f"{lines}: line 3, url: not an http(s) URL of at most 2000 characters: 'verif.example.org/b'"
    ]
    out, _ = command(workspace, str(lines))
    assert out == f"{lines}: 0 created, 0 updated, 3 unchanged, 1 skipped\n"


def test_the_command_reads_standard_input_and_finds_a_workspace_by_name(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(fact_check_tools())))
    out, err = command("desk", "-")
    assert out == "<stdin>: 2 created, 0 updated, 0 unchanged, 0 skipped\n"
    assert err == ""
    assert (
        ReferenceClaim.objects.filter(workspace=workspace, origin="import_claimreview").count() == 2
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "broken.json",
            '{"@type": "ClaimReview",',
            "broken.json: not valid JSON: Expecting property name",
        ),
        (
            "broken.jsonl",
            '{"url": "https://a.example"}\n{"url": \n',
            "broken.jsonl, line 2: not valid JSON",
        ),
        (
            "number.json",
            "42",
            "number.json: expected a JSON object or array of fact-checks, not int",
        ),
        ("latin1.json", None, "latin1.json is not UTF-8 text"),
        ("missing.json", "", "no such file: "),
    ],
)
def test_the_command_refuses_unreadable_files_before_importing_anything(
    workspace: Workspace, tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(claim_review()), encoding="utf-8")
    bad = tmp_path / name
    if content is None:
        bad.write_bytes('{"claimReviewed": "Le prix a baissé"}'.encode("latin-1"))
    elif name != "missing.json":
        bad.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        command(workspace, str(good), str(bad))
    assert not ReferenceClaim.objects.exists()


@pytest.mark.parametrize("key", ["999999", "No such desk"])
def test_the_command_refuses_an_unknown_workspace(
    workspace: Workspace, tmp_path: Path, key: str
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(claim_review()), encoding="utf-8")
    with pytest.raises(CommandError, match=f"--workspace: no workspace has the id.*{key}"):
        command(key, str(good))


def test_two_workspaces_with_one_name_need_the_id(
    workspace: Workspace, alice: User, tmp_path: Path
) -> None:
    workspace_create(user=alice, name="desk")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(claim_review()), encoding="utf-8")
    with pytest.raises(CommandError, match=r"2 workspaces are called 'Desk'.*give the id"):
        command("Desk", str(good))


def test_the_command_exits_non_zero_with_the_file_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"url": "https://a.example"}\nnot json\n', encoding="utf-8")
    done = subprocess.run(  # noqa: S603 - this interpreter, this project's manage.py
        [sys.executable, "manage.py", "import_claimreview", "--workspace", "1", str(broken)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert f"CommandError: {broken}, line 2: not valid JSON" in done.stderr
    assert done.stdout == ""


# --- Matching afterwards ------------------------------------------------------------------------


def test_an_imported_english_fact_check_matches_a_french_claim(workspace: Workspace) -> None:
    english = claim_review(
        "https://checkpoint.example.com/valmorin-water",
        claimReviewed=WATER,
        inLanguage="en",
        reviewRating={"@type": "Rating", "alternateName": "False"},
    )
    run(workspace, [english])
    reference = ReferenceClaim.objects.get(workspace=workspace)

    [matches] = find_similar(workspace_id=workspace.pk, texts=[WATER_FR])

    assert [match.reference_id for match in matches] == [reference.pk]
    assert matches[0].claim_id is None and matches[0].score >= 0.55
    # A French sentence about something else finds nothing.
    [other] = find_similar(
        workspace_id=workspace.pk, texts=["Le prix du pain a augmenté de 12 % à Valmorin."]
    )
    assert other == []


def test_standard_input_may_hold_json_lines(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = "\n".join(json.dumps(claim_review(f"https://verif.example.org/{n}")) for n in range(2))
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines + "\n{oops\n"))
    with pytest.raises(CommandError, match="<stdin>, line 3: not valid JSON"):
        command(workspace, "-")
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    assert command(workspace, "-")[0] == "<stdin>: 2 created, 0 updated, 0 unchanged, 0 skipped\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO('[\n  {"url": \n'))
    with pytest.raises(CommandError, match=r"<stdin>: not valid JSON: .* \(line 3, column 1\)"):
        command(workspace, "-")


# --- Through the import job (pages, API, import_articles) ---------------------------------------


def _lines(*items: Any) -> bytes:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items).encode()


def test_an_import_job_takes_claimreview_lines_and_reports_each(
    workspace: Workspace, alice: User, settings: Any, tmp_path: Path
) -> None:
    from tests.import_helpers import run_import

    settings.MEDIA_ROOT = tmp_path
    other = claim_review("https://verif.example.org/autre", claimReviewed="Autre chose.")
    body = _lines(claim_review(), claim_review(None), other)
    job = run_import(workspace, alice, "claimreview", body)

    assert (job.status, job.records, job.created, job.failed) == ("done", 3, 2, 1)
    assert job.counts == {"references": 2, "references_updated": 0}
    assert [row["outcome"] for row in job.report] == ["created", "failed", "created"]
    assert job.report[1]["place"] == "line 2"
    assert job.report[1]["field"] == "url"
    assert "no URL" in job.report[1]["message"]
    assert ReferenceClaim.objects.filter(workspace=workspace).count() == 2
    assert set(ReferenceClaim.objects.values_list("origin", flat=True)) == {"import"}

    # The same file again changes nothing; a changed rating updates its page's row.
    again = run_import(workspace, alice, "claimreview", body)
    assert [row["outcome"] for row in again.report] == ["skipped", "failed", "skipped"]
    assert "Already in the reference corpus" in again.report[0]["message"]
    changed = claim_review(reviewRating={"@type": "Rating", "alternateName": "Vrai"})
    third = run_import(workspace, alice, "claimreview", _lines(changed))
    assert third.report[0]["outcome"] == "created"
    assert "updated" in third.report[0]["message"]
    assert third.counts == {"references": 0, "references_updated": 1}
    assert ReferenceClaim.objects.get(url=changed["url"]).rating == "Vrai"


def test_a_fact_check_tools_response_is_a_record_per_claim_and_a_dry_run_writes_nothing(
    workspace: Workspace, alice: User, settings: Any, tmp_path: Path
) -> None:
    from tests.import_helpers import run_import

    settings.MEDIA_ROOT = tmp_path
    response = fact_check_tools()
    response["claims"].append({"text": "No review here.", "claimReview": []})
    response["nextPageToken"] = "abc"
    body = json.dumps(response, indent=2).encode()

    dry = run_import(workspace, alice, "claimreview", body, dry_run=True)
    assert [(row["place"], row["outcome"]) for row in dry.report] == [
        ("item 0", "would_create"),
        ("item 1", "failed"),
    ]
    assert dry.counts == {"references": 2, "references_updated": 0}
    assert not ReferenceClaim.objects.exists()

    real = run_import(workspace, alice, "claimreview", body)
    assert [row["outcome"] for row in real.report] == ["created", "failed"]
    assert real.report[1]["field"] == "claimReview"
    assert ReferenceClaim.objects.filter(workspace=workspace).count() == 2


def test_only_editors_import_outside_fact_checks(
    workspace: Workspace, bob: User, settings: Any, tmp_path: Path
) -> None:
    from django.core.exceptions import ValidationError

    from tests.import_helpers import run_import

    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as refused:
        run_import(workspace, bob, "claimreview", _lines(claim_review()))
    assert "editor role" in refused.value.message_dict["format"][0]
    assert not ReferenceClaim.objects.exists()


def test_the_import_report_of_fact_checks_speaks_french(
    workspace: Workspace, alice: User, settings: Any, tmp_path: Path
) -> None:
    from django.utils import translation

    from tests.import_helpers import run_import

    settings.MEDIA_ROOT = tmp_path
    with translation.override("fr"):
        first = run_import(
            workspace, alice, "claimreview", _lines(claim_review(None), claim_review())
        )
        again = run_import(workspace, alice, "claimreview", _lines(claim_review()))
    assert first.report[0]["outcome"] == "failed"
    assert "url\xa0: pas d'URL" in first.report[0]["message"]
    assert again.report[0]["outcome"] == "skipped"
    assert again.report[0]["message"] == "Déjà dans le corpus de référence, inchangé."


def test_a_fact_check_the_database_cannot_keep_fails_alone(
    workspace: Workspace, alice: User, settings: Any, tmp_path: Path
) -> None:
    from tests.import_helpers import run_import

    settings.MEDIA_ROOT = tmp_path
    # NUL and a lone surrogate are dropped or replaced in text; in a URL they refuse the item.
    nul = claim_review("https://verif.example.org/nul", claimReviewed="bad\u0000one")
    half = claim_review("https://verif.example.org/half", claimReviewed="a\ud800b")
    bad_url = claim_review("https://verif.example.org/x\u0000y")
    body = (json.dumps(nul) + "\n" + json.dumps(half) + "\n" + json.dumps(bad_url) + "\n").encode()
    job = run_import(workspace, alice, "claimreview", body)
    assert job.status == "done"
    assert [row["outcome"] for row in job.report] == ["created", "created", "failed"]
    texts = set(ReferenceClaim.objects.values_list("claim_text", flat=True))
    assert texts == {"badone", "a\ufffdb"}


def test_json_lines_of_fact_check_tools_answers_are_a_record_a_line(
    workspace: Workspace, alice: User, settings: Any, tmp_path: Path
) -> None:
    from tests.import_helpers import run_import

    settings.MEDIA_ROOT = tmp_path
    second = fact_check_tools()
    second["claims"][0]["claimReview"] = second["claims"][0]["claimReview"][:1]
    second["claims"][0]["claimReview"][0]["url"] = "https://checkpoint.example.com/other"
    body = _lines(fact_check_tools(), second, {"claims": []})
    job = run_import(workspace, alice, "claimreview", body)
    assert [(row["place"], row["outcome"]) for row in job.report] == [
        ("line 1", "created"),
        ("line 2", "created"),
        ("line 3", "failed"),
    ]
    assert job.report[2]["message"] == "There is no fact-check in this item."
    assert ReferenceClaim.objects.filter(workspace=workspace).count() == 3
