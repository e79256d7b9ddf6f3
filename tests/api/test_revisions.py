from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Article, Claim
from tests.conftest import FRENCH_TEXT, etag_version, results


def test_it_corrects_a_text_and_reports_how_each_claim_was_placed(
    article: Article, claim: Claim, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    new_text = "Mise à jour 🙂.\n" + FRENCH_TEXT.replace(
        "Le chômage a reculé", "Le chômage a baissé"
    )

    response = api(alice).post(
        f"/api/v1/articles/{article.pk}/revisions/",
        {"text": new_text, "note": "Coquille", "version": article.version},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["revision"]["number"] == 1
    assert body["revision"]["text"] == FRENCH_TEXT
    assert body["revision"]["created_by"] == "alice"
    assert body["article"]["revision"] == 2
    assert body["article"]["version"] == article.version + 1
    assert etag_version(response["ETag"]) == article.version + 1
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
        HTTP_IF_MATCH=f'"{article.version}"',
    )

    [orphan] = api(alice).get(f"/api/v1/articles/{article.pk}/").json()["claims"]
    assert orphan["orphaned"] is True
    assert orphan["start"] is None
    # The text no longer holds it: its quote comes whole, with its context.
    assert (orphan["prefix"] + orphan["exact"] + orphan["suffix"]) in FRENCH_TEXT
    assert orphan["highlights"][0]["orphaned"] is True
    assert orphan["highlights"][0]["exact"] == orphan["exact"]
    alone = api(alice).get(f"/api/v1/claims/{orphan['id']}/").json()
    assert [s["type"] for s in alone["target"]["selector"]] == ["TextQuoteSelector"]


def test_it_lists_the_earlier_texts_newest_first(
    article: Article, alice: User, erin: User, api: Callable[[User | None], APIClient]
) -> None:
    for prefix in ("Un.\n", "Deux.\n"):
        current = Article.objects.get(pk=article.pk)
        api(alice).post(
            f"/api/v1/articles/{article.pk}/revisions/",
            {"text": prefix + current.text, "version": current.version},
        )

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
    # The role first: a reviewer who sends no version hears 403, not 428.
    assert api(dave).post(url, {"text": "Autre."}).status_code == 403
    assert api(dave).post(url, {"text": "Autre.", "version": 1}).status_code == 403
    assert api(mallory).post(url, {"text": "Autre.", "version": 1}).status_code == 404
    assert api(mallory).get(url).status_code == 404
    assert api(None).get(url).status_code == 401
    assert Article.objects.get(pk=article.pk).text == FRENCH_TEXT


def test_it_names_the_field_of_a_bad_correction(
    article: Article, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    url = f"/api/v1/articles/{article.pk}/revisions/"
    client = api(alice)

    missing = client.post(url, {"note": "rien", "version": 1})
    too_long = client.post(url, {"text": "Autre.", "note": "x" * 501, "version": 1})
    unchanged = client.post(url, {"text": FRENCH_TEXT, "version": 1})
    blank = client.post(url, {"text": " \n", "version": 1})
    not_a_version = client.post(url, {"text": "Autre.", "version": "deux"})

    assert missing.status_code == 400 and "text" in missing.json()
    assert too_long.status_code == 400 and "note" in too_long.json()
    assert unchanged.status_code == 400 and "same" in unchanged.json()["text"][0]
    assert blank.status_code == 400 and "text" in blank.json()
    assert not_a_version.status_code == 400 and "version" in not_a_version.json()
    assert Article.objects.get(pk=article.pk).revision == 1


def test_two_editors_correcting_at_once_lose_nothing(
    article: Article, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    url = f"/api/v1/articles/{article.pk}/revisions/"
    read = api(alice).get(f"/api/v1/articles/{article.pk}/")
    version = read.json()["version"]
    assert etag_version(read["ETag"]) == version
    first = "Un.\n" + FRENCH_TEXT
    second = "Deux.\n" + FRENCH_TEXT

    saved = api(alice).post(url, {"text": first, "version": version})
    stale = api(alice).post(url, {"text": second}, HTTP_IF_MATCH=f'"{version}"')
    missing = api(alice).post(url, {"text": second})

    assert saved.status_code == 201
    assert stale.status_code == 412
    assert stale.json()["current_version"] == version + 1
    assert stale["ETag"] == f'"{version + 1}"'
    assert missing.status_code == 428
    assert "version" in missing.json()["detail"]
    assert Article.objects.get(pk=article.pk).text == first
    # Told so, the second editor saves again on the version they now read.
    again = api(alice).post(url, {"text": second, "version": version + 1})
    assert again.status_code == 201
    assert Article.objects.get(pk=article.pk).text == second


def test_a_change_of_the_details_bumps_the_version_a_correction_checks(
    article: Article, alice: User, api: Callable[[User | None], APIClient]
) -> None:
    detail = f"/api/v1/articles/{article.pk}/"
    version = api(alice).get(detail).json()["version"]

    renamed = api(alice).patch(detail, {"title": "Emploi"})
    stale = api(alice).patch(detail, {"publisher": "Insee"}, HTTP_IF_MATCH=f'"{version}"')
    correction = api(alice).post(
        f"{detail}revisions/", {"text": "Un.\n" + FRENCH_TEXT, "version": version}
    )

    assert renamed.status_code == 200 and renamed.json()["version"] == version + 1
    assert stale.status_code == 412 and stale.json()["current_version"] == version + 1
    assert correction.status_code == 412
    assert api(alice).get(detail).json()["publisher"] == ""
