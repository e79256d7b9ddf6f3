from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Article, Claim
from tests.conftest import FRENCH_TEXT, results


def test_it_corrects_a_text_and_reports_how_each_claim_was_placed(
    article: Article, claim: Claim, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    new_text = "Mise à jour 🙂.\n" + FRENCH_TEXT.replace(
        "Le chômage a reculé", "Le chômage a baissé"
    )

    response = api(alice).post(
        f"/api/v1/articles/{article.pk}/revisions/", {"text": new_text, "note": "Coquille"}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["revision"]["number"] == 1
    assert body["revision"]["text"] == FRENCH_TEXT
    assert body["revision"]["created_by"] == "alice"
    assert body["article"]["revision"] == 2
    assert body["claims"] == {"fuzzy": 1}
    assert body["orphaned_claim_ids"] == []
    detail = api(alice).get(f"/api/v1/articles/{article.pk}/").json()
    assert detail["text"] == new_text
    [moved] = detail["claims"]
    assert new_text[moved["start"] : moved["end"]] == moved["exact"]


def test_it_shows_an_orphan_with_its_quote_only(
    article: Article, claim: Claim, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    first_line = FRENCH_TEXT.split("\n")[0] + "\n"
    api(alice).post(
        f"/api/v1/articles/{article.pk}/revisions/",
        {"text": FRENCH_TEXT.replace(first_line, "")},
    )

    [orphan] = api(alice).get(f"/api/v1/articles/{article.pk}/").json()["claims"]
    assert orphan["orphaned"] is True
    assert orphan["start"] is None
    assert [s["type"] for s in orphan["target"]["selector"]] == ["TextQuoteSelector"]
    assert orphan["highlights"][0]["orphaned"] is True


def test_it_lists_the_earlier_texts_newest_first(
    article: Article, alice: User, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    for prefix in ("Un.\n", "Deux.\n"):
        current = Article.objects.get(pk=article.pk).text
        api(alice).post(f"/api/v1/articles/{article.pk}/revisions/", {"text": prefix + current})

    response = api(erin).get(f"/api/v1/articles/{article.pk}/revisions/")

    assert response.status_code == 200
    assert [(r["number"], r["text"][:4]) for r in results(response)] == [
        (2, "Un.\n"),
        (1, FRENCH_TEXT[:4]),
    ]


def test_it_lets_only_editors_correct_and_hides_the_article_from_outsiders(
    article: Article,
    dave: User,
    mallory: User,
    api: Callable[[User | None], APIClient],
) -> None:
    url = f"/api/v1/articles/{article.pk}/revisions/"
    assert api(dave).post(url, {"text": "Autre."}).status_code == 403
    assert api(mallory).post(url, {"text": "Autre."}).status_code == 404
    assert api(mallory).get(url).status_code == 404
    assert api(None).get(url).status_code == 401
    assert Article.objects.get(pk=article.pk).text == FRENCH_TEXT


def test_it_names_the_field_of_a_bad_correction(
    article: Article, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    url = f"/api/v1/articles/{article.pk}/revisions/"
    client = api(alice)

    missing = client.post(url, {"note": "rien"})
    too_long = client.post(url, {"text": "Autre.", "note": "x" * 501})
    unchanged = client.post(url, {"text": FRENCH_TEXT})
    blank = client.post(url, {"text": " \n"})

    assert missing.status_code == 400 and "text" in missing.json()
    assert too_long.status_code == 400 and "note" in too_long.json()
    assert unchanged.status_code == 400 and "same" in unchanged.json()["text"][0]
    assert blank.status_code == 400 and "text" in blank.json()
    assert Article.objects.get(pk=article.pk).revision == 1
