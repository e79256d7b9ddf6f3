"""The claim registry: matching across languages with sentence embeddings, and match_claims."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from annotations.extraction import embeddings
from annotations.extraction.claim_matching import NameComparer, discrepancy, match_texts
from annotations.models import Article, Claim, ClaimMatch, TextVector, Workspace
from annotations.services.adjudications import adjudication_create
from annotations.services.articles import article_create
from annotations.services.claims import claim_create
from annotations.services.embedding import vector_cache
from annotations.services.matching import find_similar
from annotations.services.workspaces import workspace_create

ROOT = Path(__file__).resolve().parent.parent
FRENCH = "Le chômage a reculé de 0,3 point au troisième trimestre, selon l'Insee."
ENGLISH = "Unemployment fell by 0.3 points in the third quarter, according to Insee."


def _claim(user: User, article: Article, quote: str) -> Claim:
    start = article.text.index(quote)
    return claim_create(user=user, article=article, start=start, end=start + len(quote)).claim


def _article(workspace: Workspace, user: User, text: str, language: str) -> Article:
    return article_create(user=user, workspace=workspace, text=text, language=language)


def test_a_french_claim_finds_the_english_fact_check_of_the_same_claim(
    workspace: Workspace, bob: User, dave: User
) -> None:
    english = _article(workspace, bob, f"Figures out today. {ENGLISH} More next week.", "en")
    checked = _claim(bob, english, ENGLISH)
    adjudication_create(user=dave, claim=checked, verdict="true")

    found = find_similar(workspace_id=workspace.pk, texts=[FRENCH, "Il pleuvra demain à Lyon."])
    assert [[m.claim_id for m in matches] for matches in found] == [[checked.pk], []]
    assert found[0][0].method == "embedding" and 0.55 <= found[0][0].score <= 1
    # The checked claim's vector was kept, computed from its text by the model in use.
    assert TextVector.objects.filter(claim=checked, model=embeddings.DEFAULT_MODEL).exists()


def test_a_claim_resolved_later_is_offered_to_the_earlier_ones_that_say_the_same(
    workspace: Workspace,
    bob: User,
    dave: User,
    api: Callable[[User | None], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    french = _article(workspace, bob, f"Bonne nouvelle. {FRENCH} La suite jeudi.", "fr")
    with django_capture_on_commit_callbacks(execute=True):
        earlier = _claim(bob, french, FRENCH)
    assert api(bob).get(f"/api/v1/claims/{earlier.pk}/similar/").json() == []

    english = _article(workspace, bob, f"Figures out today. {ENGLISH} More next week.", "en")
    with django_capture_on_commit_callbacks(execute=True):
        later = _claim(bob, english, ENGLISH)
    with django_capture_on_commit_callbacks(execute=True):
        adjudication_create(user=dave, claim=later, verdict="mostly-true")

    similar = api(bob).get(f"/api/v1/claims/{earlier.pk}/similar/").json()
    assert [(m["kind"], m["claim"], m["verdict"], m["language"]) for m in similar] == [
        ("claim", later.pk, "mostly-true", "en")
    ]
    assert similar[0]["method"] == "embedding"


def test_the_same_topic_with_other_figures_or_direction_is_not_the_same_claim() -> None:
    model = embeddings.load_embedder("")
    assert model is not None
    names = NameComparer(model.embed)
    crime = "Violent crime in Dellport fell by 18% after the city hired 150 more police officers."
    assert discrepancy(crime.replace("fell", "rose"), crime, names) == "direction"
    assert discrepancy(crime.replace("18%", "40%"), crime, names) == "figures"
    asylum = "Le nombre de demandes d'asile en France a reculé de 10 % en 2025."
    assert discrepancy(asylum.replace("2025", "2023"), asylum, names) == "years"
    assert discrepancy(asylum.replace("France", "Allemagne"), asylum, names) == "names"
    # Rounding, a share in words and a translated place are the same claim.
    assert (
        discrepancy("Près de 10 % de demandes d'asile en moins en France en 2025.", asylum, names)
        == ""
    )
    assert (
        discrepancy(
            "Un enfant sur cinq est pauvre en France.", "20% of children in France are poor.", names
        )
        == ""
    )
    assert discrepancy("Asylum requests in France fell by 10% in 2025.", asylum, names) == ""
    # The same sentence about something else, against the same claim in other words or by
    # someone else.
    poverty = "Un retraité sur quatre vit sous le seuil de pauvreté à Brenneville, selon une ONG."
    assert discrepancy(poverty.replace("retraité", "étudiant"), poverty, names) == "subject"
    waiting = "Hospital waiting lists in Kelby grew to 70,000, the highest on record, Dr Ames says."
    assert discrepancy(waiting.replace("Hospital", "Dentist"), waiting, names) == "subject"
    assert discrepancy(waiting.replace("grew to", "reached"), waiting, names) == ""
    assert discrepancy(waiting.replace("Dr Ames says", "the mayor claims"), waiting, names) == ""
    assert discrepancy(poverty.replace("retraité", "senior"), poverty, names) == ""
    # Whoever says it, however it is attributed: an elided name, a pronoun, a leading source, a
    # clause about where the figures come from.
    said = FRENCH.replace("selon l'Insee", "a-t-elle affirmé")
    assert discrepancy(said, FRENCH, names) == ""
    leading = "Selon l'Insee, le chômage a reculé de 0,3 point au troisième trimestre."
    assert discrepancy(leading, FRENCH, names) == ""
    released = ENGLISH.replace("Insee", "figures released on Monday")
    assert discrepancy(released, ENGLISH.replace("according to Insee", "she said"), names) == ""
    assert discrepancy(FRENCH.replace("chômage", "déficit"), said, names) == "subject"
    # Only a clause that attributes is set aside, never one that holds the claim or a reporting
    # verb's noun ("le juge"), and a decimal comma does not end a clause.
    taxes = "Taxes rose for families, while they fell for pensioners."
    assert discrepancy(taxes, taxes.replace("pensioners", "companies"), names) == "subject"
    fines = "Le juge a annulé 300 amendes en 2024."
    assert discrepancy(fines, fines.replace("juge", "maire"), names) == "subject"
    calls = "The company called 500 customers in March."
    assert discrepancy(calls, calls.replace("called", "fired"), names) == "subject"
    decimal = "Selon l'Insee le chômage des retraités a reculé de 0,3 point."
    assert discrepancy(decimal, decimal.replace("retraités", "étudiants"), names) == "subject"
    found = match_texts(
        model.embed, [crime.replace("fell", "rose"), crime], [crime], threshold=0.55
    )
    assert found == [[], [(0, 1.0)]]


def test_without_a_model_that_loads_matching_falls_back_to_words(
    workspace: Workspace, bob: User, dave: User, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.EMBEDDING_MODEL = "/nonexistent/model-directory"
    french = _article(workspace, bob, f"Bonne nouvelle. {FRENCH} La suite jeudi.", "fr")
    checked = _claim(bob, french, FRENCH)
    adjudication_create(user=dave, claim=checked, verdict="true")
    with caplog.at_level(logging.WARNING):
        found = find_similar(
            workspace_id=workspace.pk, texts=[FRENCH.replace("selon", "d'après"), ENGLISH]
        )
    assert [[m.method for m in matches] for matches in found] == [["trigram"], []]
    assert "could not load" in caplog.text and "rules instead" in caplog.text


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return str(path)


def test_match_claims_prints_one_json_line_per_query_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checked = _jsonl(
        tmp_path / "checked.jsonl",
        [
            {"id": "c1", "text": ENGLISH, "language": "en"},
            {"id": 2, "text": "Crime is at an all-time high in this country.", "language": "en"},
        ],
    )
    queries = _jsonl(
        tmp_path / "queries.jsonl",
        [
            {"text": FRENCH, "language": "en"},  # a wrong hint: the language never filters
            {"text": "La criminalité atteint un niveau record dans ce pays.", "language": "fr"},
            {"text": "The minimum wage rose by 2% in January.", "language": "en"},
        ],
    )
    call_command("match_claims", queries, against=checked)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [[m["id"] for m in line["matches"]] for line in lines] == [["c1"], [2], []]
    assert all(0 <= m["score"] <= 1 for line in lines for m in line["matches"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "x"\n', "queries.jsonl:1: not JSON"),
        ('{"text": ""}\n', "queries.jsonl:1: 'text' must be a non-empty string"),
        ("[1, 2]\n", "queries.jsonl:1: expected a JSON object"),
    ],
)
def test_match_claims_names_the_bad_line(tmp_path: Path, content: str, message: str) -> None:
    checked = _jsonl(tmp_path / "checked.jsonl", [{"id": 1, "text": ENGLISH, "language": "en"}])
    (tmp_path / "queries.jsonl").write_text(content)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("match_claims", str(tmp_path / "queries.jsonl"), against=checked)


def test_match_claims_wants_an_id_for_each_checked_claim(tmp_path: Path) -> None:
    checked = _jsonl(tmp_path / "checked.jsonl", [{"text": ENGLISH, "language": "en"}])
    queries = _jsonl(tmp_path / "queries.jsonl", [{"text": FRENCH, "language": "fr"}])
    with pytest.raises(CommandError, match=re.escape("checked.jsonl:1: 'id' is missing")):
        call_command("match_claims", queries, against=checked)


def test_match_claims_runs_on_a_fresh_machine_without_settings(tmp_path: Path) -> None:
    """As an outside evaluation runs it: a fresh SQLite file, no broker, no secret key, no DEBUG;
    standard output holds the JSON lines and nothing else."""
    checked = _jsonl(tmp_path / "checked.jsonl", [{"id": "a", "text": ENGLISH, "language": "en"}])
    queries = _jsonl(tmp_path / "queries.jsonl", [{"text": FRENCH, "language": "fr"}])
    environment = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path}/fresh.sqlite3",
        "HOME": str(tmp_path),
    }
    done = subprocess.run(  # noqa: S603 - this project's own manage.py
        [sys.executable, str(ROOT / "manage.py"), "match_claims", "--against", checked, queries],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == [
        {"matches": [{"id": "a", "score": pytest.approx(0.8, abs=0.2)}]}
    ]
    missing = subprocess.run(  # noqa: S603 - this project's own manage.py
        [sys.executable, str(ROOT / "manage.py"), "match_claims", "--against", "nope", queries],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 1 and "no such file: nope" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_matches_of_outside_fact_checks_are_kept_apart_from_the_desks_claims(
    workspace: Workspace, bob: User
) -> None:
    """A match names either a claim of the desk or an outside fact-check, never both."""
    from django.db import IntegrityError, transaction

    article = _article(workspace, bob, f"Bonne nouvelle. {FRENCH} La suite jeudi.", "fr")
    claim = _claim(bob, article, FRENCH)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimMatch.objects.create(claim=claim, score=0.9, method="embedding")


def test_the_claim_page_shows_an_outside_fact_check_of_the_same_claim(
    workspace: Workspace,
    bob: User,
    client: Any,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from annotations.models import ReferenceClaim, VerdictLabel

    ReferenceClaim.objects.create(
        workspace=workspace,
        url="https://factcheck.example/unemployment-third-quarter",
        claim_text=ENGLISH,
        language="en",
        publisher="Example Checks",
        rating="Accurate",
        verdict=VerdictLabel.objects.get(workspace=workspace, slug="true"),
        origin="test",
    )
    article = _article(workspace, bob, f"Bonne nouvelle. {FRENCH} La suite jeudi.", "fr")
    with django_capture_on_commit_callbacks(execute=True):
        claim = _claim(bob, article, FRENCH)
    client.force_login(bob)
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert 'data-match="reference"' in page
    assert 'href="https://factcheck.example/unemployment-third-quarter"' in page
    assert "Example Checks" in page and "Accurate" in page and "similarity 0." in page


def _settle(dave: User, claim: Claim, capture: DjangoCaptureOnCommitCallbacks) -> Claim:
    with capture(execute=True):
        adjudication_create(user=dave, claim=claim, verdict="true")
    return Claim.objects.get(pk=claim.pk)


def test_a_settled_claim_is_not_offered_where_it_says_something_else(
    workspace: Workspace,
    bob: User,
    dave: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    rose = "Unemployment rose by 0.3 points in the third quarter, according to Insee."
    other = _article(workspace, bob, f"Figures out today. {rose} More next week.", "en")
    with django_capture_on_commit_callbacks(execute=True):
        opposite = _claim(bob, other, rose)
    english = _article(workspace, bob, f"Figures out today. {ENGLISH} More next week.", "en")
    with django_capture_on_commit_callbacks(execute=True):
        checked = _claim(bob, english, ENGLISH)
    _settle(dave, checked, django_capture_on_commit_callbacks)
    assert not ClaimMatch.objects.filter(claim=opposite).exists()


def test_what_a_claim_shows_does_not_move_when_colleagues_settle_it(
    workspace: Workspace,
    bob: User,
    dave: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """Blind review: a claim's own look-alikes follow its text, never its status."""
    from annotations.models import ReferenceClaim

    english = _article(workspace, bob, f"Figures out today. {ENGLISH} More next week.", "en")
    with django_capture_on_commit_callbacks(execute=True):
        claim = _claim(bob, english, ENGLISH)
    ReferenceClaim.objects.create(
        workspace=workspace, url="https://x.example/a", claim_text=FRENCH, origin="test"
    )
    _settle(dave, claim, django_capture_on_commit_callbacks)
    assert not ClaimMatch.objects.filter(claim=claim).exists()


def test_a_withdrawn_or_reopened_claim_is_no_longer_offered_as_checked(
    workspace: Workspace,
    alice: User,
    bob: User,
    dave: User,
    api: Callable[[User | None], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from annotations.services.withdrawals import claim_withdraw

    french = _article(workspace, bob, f"Bonne nouvelle. {FRENCH} La suite jeudi.", "fr")
    with django_capture_on_commit_callbacks(execute=True):
        earlier = _claim(bob, french, FRENCH)
    english = _article(workspace, bob, f"Figures out today. {ENGLISH} More next week.", "en")
    with django_capture_on_commit_callbacks(execute=True):
        later = _claim(bob, english, ENGLISH)
    later = _settle(dave, later, django_capture_on_commit_callbacks)
    assert [m["claim"] for m in api(bob).get(f"/api/v1/claims/{earlier.pk}/similar/").json()] == [
        later.pk
    ]
    claim_withdraw(user=alice, claim=later)
    assert api(bob).get(f"/api/v1/claims/{earlier.pk}/similar/").json() == []


def test_the_admin_lists_the_reference_corpus_and_its_matches_per_workspace(
    workspace: Workspace,
    alice: User,
    bob: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from django.contrib.auth.models import Permission
    from django.test import Client

    from annotations.models import ReferenceClaim

    ReferenceClaim.objects.create(
        workspace=workspace, url="https://x.example/ours", claim_text=ENGLISH, origin="test"
    )
    elsewhere = workspace_create(user=bob, name="Another desk")
    ReferenceClaim.objects.create(
        workspace=elsewhere, url="https://x.example/theirs", claim_text="THEIRS-Q9", origin="t"
    )
    article = _article(workspace, bob, f"Bonne nouvelle. {FRENCH} La suite jeudi.", "fr")
    with django_capture_on_commit_callbacks(execute=True):
        _claim(bob, article, FRENCH)
    alice.is_staff = True
    alice.save()
    alice.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    editor = Client()
    editor.force_login(alice)
    corpus = editor.get("/admin/annotations/referenceclaim/").content.decode()
    assert "Unemployment fell" in corpus and "THEIRS-Q9" not in corpus
    matches = editor.get("/admin/annotations/claimmatch/").content.decode()
    assert "1 claim match" in matches


def test_matching_again_reads_only_the_vectors_it_has_not_seen(
    workspace: Workspace,
    bob: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """The process keeps the corpus's vectors once their transaction commits: a second article
    matched against the same fact-checks reads none from the database, and an edited fact-check
    is read afresh."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from annotations.models import ReferenceClaim

    reference = ReferenceClaim.objects.create(
        workspace=workspace,
        url="https://factcheck.example/chomage",
        claim_text=ENGLISH,
        language="en",
        origin="test",
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = find_similar(workspace_id=workspace.pk, texts=[FRENCH])
    assert [m.reference_id for m in first[0]] == [reference.pk]
    with CaptureQueriesContext(connection) as queries:
        again = find_similar(workspace_id=workspace.pk, texts=[FRENCH])
    assert [(m.reference_id, m.score) for m in again[0]] == [
        (m.reference_id, m.score) for m in first[0]
    ]
    assert not [q for q in queries.captured_queries if "annotations_textvector" in q["sql"]]

    # Another claim now: the stored vector no longer fits the text and is computed again.
    before = TextVector.objects.get(reference=reference).vector
    ReferenceClaim.objects.filter(pk=reference.pk).update(
        claim_text="Coffee doubles the risk of heart disease, says a viral video."
    )
    assert find_similar(workspace_id=workspace.pk, texts=[FRENCH]) == [[]]
    assert bytes(TextVector.objects.get(reference=reference).vector) != bytes(before)


def test_the_vector_cache_keeps_the_most_recently_used() -> None:
    cache = embeddings.VectorCache(2)
    vector = embeddings.normalised([[1.0, 0.0]])[0]
    cache.put(("m", "claim", 1, "a"), vector)
    cache.put(("m", "claim", 2, "b"), vector)
    assert cache.get(("m", "claim", 1, "a")) is not None  # 1 is now the most recently used
    cache.put(("m", "claim", 3, "c"), vector)
    assert cache.get(("m", "claim", 2, "b")) is None and len(cache) == 2
    assert cache.get(("m", "claim", 1, "x")) is None  # another text: another vector
    # An entry is its own copy: a row of a large read does not keep the whole read in memory.
    read = embeddings.normalised([[1.0, 0.0], [0.0, 1.0]])
    cache.put(("m", "claim", 4, "d"), read[0])
    kept = cache.get(("m", "claim", 4, "d"))
    assert kept is not None and not np.shares_memory(kept, read)
    off = embeddings.VectorCache(0)
    off.put(("m", "claim", 1, "a"), vector)
    assert off.get(("m", "claim", 1, "a")) is None


def test_a_vector_computed_in_a_transaction_rolled_back_is_not_kept(
    workspace: Workspace,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """SQLite gives a rolled-back row's id to the next one: a vector cached for the row that
    never was would stop the new owner's from ever being stored."""
    from django.db import transaction

    from annotations.models import ReferenceClaim, TextVector

    def add_reference() -> ReferenceClaim:
        return ReferenceClaim.objects.create(
            workspace=workspace,
            url="https://factcheck.example/chomage",
            claim_text=ENGLISH,
            language="en",
            origin="test",
        )

    cached = len(vector_cache())
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        add_reference()
        assert [len(m) for m in find_similar(workspace_id=workspace.pk, texts=[FRENCH])] == [1]
        transaction.set_rollback(True)
    assert callbacks == [] and not TextVector.objects.exists()
    assert len(vector_cache()) == cached
    with django_capture_on_commit_callbacks(execute=True):
        reference = add_reference()
        assert find_similar(workspace_id=workspace.pk, texts=[FRENCH])[0][0].reference_id == (
            reference.pk
        )
    assert TextVector.objects.filter(reference=reference).count() == 1


def test_a_large_corpus_is_read_by_workspace_and_ranks_as_by_id(
    workspace: Workspace, bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past _LIST_IN_QUERY owners the stored vectors are read by workspace: the same matches,
    and another desk's vectors are not taken for this one's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from annotations.models import ReferenceClaim
    from annotations.services import matching

    elsewhere = workspace_create(user=bob, name="Another desk")
    for desk in (elsewhere, workspace):
        for n, text in enumerate([ENGLISH, "Coffee doubles the risk of heart disease."]):
            ReferenceClaim.objects.create(
                workspace=desk, url=f"https://f.example/{n}", claim_text=text, origin="test"
            )
    by_id = find_similar(workspace_id=workspace.pk, texts=[FRENCH])  # computes and stores
    monkeypatch.setattr(matching, "_LIST_IN_QUERY", 1)
    with CaptureQueriesContext(connection) as queries:
        by_workspace = find_similar(workspace_id=workspace.pk, texts=[FRENCH])
    reads = [q["sql"] for q in queries.captured_queries if "annotations_textvector" in q["sql"]]
    assert reads and all(" IN (" not in sql and "workspace_id" in sql for sql in reads)
    assert [[(m.reference_id, m.score) for m in found] for found in by_workspace] == [
        [(m.reference_id, m.score) for m in found] for found in by_id
    ]
    assert [m.reference_id for m in by_workspace[0]] == list(
        ReferenceClaim.objects.filter(workspace=workspace, url__endswith="/0").values_list(
            "pk", flat=True
        )
    )


def test_equal_scores_rank_in_the_registrys_order_whatever_the_cache_holds(
    workspace: Workspace,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """Two fact-checks of the same words score the same: the older one comes first, even when
    only the newer one's vector is already in the process's cache."""
    from annotations.models import ReferenceClaim
    from annotations.services.embedding import current_embedder
    from annotations.services.matching import vectors_for

    older, newer = (
        ReferenceClaim.objects.create(
            workspace=workspace, url=f"https://f.example/{n}", claim_text=ENGLISH, origin="test"
        )
        for n in range(2)
    )
    embedder = current_embedder()
    assert embedder is not None
    with django_capture_on_commit_callbacks(execute=True):
        vectors_for(embedder, workspace_id=workspace.pk, texts={("reference", newer.pk): ENGLISH})
    found = find_similar(workspace_id=workspace.pk, texts=[FRENCH])[0]
    assert [m.reference_id for m in found] == [older.pk, newer.pk]
    assert found[0].score == found[1].score
