"""Two editors correcting an article's text at once, in a browser: the second is told, keeps
what they typed, and saves it on purpose; nothing is lost silently."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from annotations.models import ArticleRevision, Role, Workspace
from annotations.services.articles import article_create
from annotations.services.revisions import article_revise
from annotations.services.workspaces import member_add

pytestmark = pytest.mark.browser

TEXT = (
    "Le chômage a reculé de 0,3 point au troisième trimestre, selon l'Insee.\n"
    "Une trentaine de départements restent au-dessus de 9 %."
)


def test_a_correction_saved_meanwhile_is_said_and_the_typed_text_kept(
    session: Any, workspace: Workspace, alice: User, make_user: Any
) -> None:
    colleague = make_user("frank")
    member_add(actor=alice, workspace=workspace, username="frank", role=Role.EDITOR)
    article = article_create(user=alice, workspace=workspace, text=TEXT, language="fr")
    editor = session(alice)
    page = editor.open_article(article)
    page.click("#open-revise")
    textarea = page.locator("#revise [name=text]")
    expect(textarea).to_have_value(TEXT)
    mine = "Correction d'Alice.\n" + TEXT
    textarea.fill(mine)

    # Meanwhile a colleague saves their own correction.
    theirs = TEXT.replace("0,3 point", "0,4 point")
    article_revise(user=colleague, article=article, text=theirs, version=1)

    page.click("#revise button[type=submit]")
    conflict = page.locator("#revise .conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("changed since you loaded it")
    expect(textarea).to_have_value(mine)  # nothing typed is lost
    editor.shot("correction-conflict")
    article.refresh_from_db()
    assert article.text == theirs  # and the colleague's correction stands

    # Told, Alice saves her text on purpose: the colleague's is kept as a revision.
    page.click("#revise button[type=submit]")
    expect(page.locator("#revise")).to_be_hidden()
    expect(page.locator("#article-revision")).to_have_text("Revision 3")
    article.refresh_from_db()
    assert article.text == mine
    assert list(
        ArticleRevision.objects.filter(article=article)
        .order_by("number")
        .values_list("text", flat=True)
    ) == [TEXT, theirs]
