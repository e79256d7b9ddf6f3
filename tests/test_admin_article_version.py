"""The admin's article page and a colleague's change: a superuser's save from a page loaded
before an editor changed the article (through the API) is refused with a form error and writes
nothing, so the colleague's change is not put back to what the page showed."""

from __future__ import annotations

from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations.models import Article
from tests.export_desk import Desk
from tests.test_admin_writes import change_form, staff


def test_a_stale_admin_page_does_not_overwrite_a_colleagues_change(desk: Desk, alice: User) -> None:
    root = staff(User.objects.create_user("root", password="root-password-1"), superuser=True)
    url = f"/admin/annotations/article/{desk.french.pk}/change/"
    data = change_form(root, url)  # loaded before the colleague's change
    loaded = Article.objects.get(pk=desk.french.pk)

    editor = APIClient()
    editor.force_authenticate(alice)
    patched = editor.patch(
        f"/api/v1/articles/{loaded.pk}/",
        {"title": "Titre de la collègue", "version": loaded.version},
        format="json",
    )
    assert patched.status_code == 200, patched.content

    data["publisher"] = "Autre éditeur"
    refused = root.post(url, data)
    assert refused.status_code == 200  # the form again, with the error
    page = refused.content.decode()
    assert "changed by someone else since you loaded it" in page
    assert f"now version {loaded.version + 1}" in page
    article = Article.objects.get(pk=loaded.pk)
    assert (article.title, article.publisher, article.version) == (
        "Titre de la collègue",
        loaded.publisher,
        loaded.version + 1,
    )

    # Loaded again, the same change goes through, on top of the colleague's.
    data = change_form(root, url)
    data["publisher"] = "Autre éditeur"
    assert root.post(url, data).status_code == 302
    article = Article.objects.get(pk=loaded.pk)
    assert (article.title, article.publisher, article.version) == (
        "Titre de la collègue",
        "Autre éditeur",
        loaded.version + 2,
    )
    assert article.text == loaded.text
