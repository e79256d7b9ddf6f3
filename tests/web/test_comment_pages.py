"""Comments on the claim's page (server side): the thread under the comments it answers, mentions
shown as mentions, a failed comment given back with what was typed and what is wrong, deletion,
and blind review's rule on the page."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.test import Client

from annotations.models import Claim, Comment, Workspace
from annotations.services.assessments import assessment_create
from annotations.services.comments import comment_create
from annotations.services.workspaces import workspace_update


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _section(html: str) -> str:
    found = re.search(r'<section class="card" id="comments".*?</section>', html, re.S)
    assert found, "no comments section on the page"
    return found.group(0)


def test_it_comments_replies_and_shows_mentions_on_the_claim_page(
    claim: Claim, bob: User, carol: User
) -> None:
    client = _client(bob)
    answer = client.post(
        f"/claims/{claim.pk}/", {"action": "comment", "body": "Ask @dave about Insee, @nobody."}
    )
    first = Comment.objects.get()
    assert answer.status_code == 302 and answer["Location"].endswith(f"#comment-{first.pk}")
    reply = _client(carol).post(
        f"/claims/{claim.pk}/", {"action": "comment", "body": "Done.", "parent": first.pk}
    )
    assert reply.status_code == 302

    section = _section(client.get(f"/claims/{claim.pk}/").content.decode())
    assert '<span class="mention">@dave</span>' in section
    assert "@nobody" in section and '<span class="mention">@nobody' not in section
    # The reply sits in the first comment's list of replies.
    replies = section.split('<ol class="replies">', 1)[1]
    assert "Done." in replies and "carol" in replies
    assert '"dave"' in section and '"bob"' not in section.split("comment-members")[1]


def test_a_failed_comment_comes_back_with_the_text_and_the_reason(
    claim: Claim, bob: User, erin: User
) -> None:
    empty = _client(bob).post(f"/claims/{claim.pk}/", {"action": "comment", "body": "   "})
    assert empty.status_code == 400
    assert "the comment is empty" in _section(empty.content.decode())

    typed = "Everyone: check the Insee series first"
    refused = _client(erin).post(
        f"/claims/{claim.pk}/", {"action": "comment", "body": typed, "instruction": "on"}
    )
    section = _section(refused.content.decode())
    assert refused.status_code == 400
    assert "Only adjudicators and editors" in section and typed in section
    assert Comment.objects.count() == 0


def test_the_author_edits_and_an_editor_deletes_from_the_page(
    claim: Claim, alice: User, bob: User
) -> None:
    written = comment_create(user=bob, claim=claim, body="Fisrt draft").comment
    edited = _client(bob).post(
        f"/claims/{claim.pk}/",
        {"action": "comment_edit", "comment": written.pk, "body": "First draft"},
    )
    assert edited.status_code == 302
    written.refresh_from_db()
    assert written.body == "First draft" and written.edited_at is not None

    deleted = _client(alice).post(
        f"/claims/{claim.pk}/", {"action": "comment_delete", "comment": written.pk}
    )
    assert deleted.status_code == 302
    section = _section(_client(bob).get(f"/claims/{claim.pk}/").content.decode())
    assert "This comment was deleted." in section and "First draft" not in section


def test_a_blind_reviewer_sees_instructions_and_the_others_comments_after_her_verdict(
    workspace: Workspace, claim: Claim, alice: User, bob: User, carol: User, dave: User
) -> None:
    workspace_update(user=alice, workspace=workspace, blind_review=True)
    assessment_create(user=bob, claim=claim, verdict="false")
    comment_create(user=bob, claim=claim, body="BOB-THINKS-FALSE")
    comment_create(user=dave, claim=claim, body="DAVE-INSTRUCTION", instruction=True)

    before = _section(_client(carol).get(f"/claims/{claim.pk}/").content.decode())
    assert "DAVE-INSTRUCTION" in before and "BOB-THINKS-FALSE" not in before
    thread = before.split('<ol class="comments">')[1].split("</ol>")[0]
    assert "bob" not in thread  # not even his name

    assessment_create(user=carol, claim=claim, verdict="true")
    after = _section(_client(carol).get(f"/claims/{claim.pk}/").content.decode())
    assert "BOB-THINKS-FALSE" in after


def test_a_mention_lights_the_badge_and_opening_it_leads_to_the_comment(
    claim: Claim, bob: User, dave: User
) -> None:
    client = _client(dave)
    assert "data-unread" not in client.get("/notifications/").content.decode()
    written = comment_create(user=bob, claim=claim, body="@dave over to you").comment

    page = client.get("/queues/").content.decode()
    assert 'data-unread="1"' in page
    listed = client.get("/notifications/").content.decode()
    [notification] = re.findall(r'data-notification="(\d+)"', listed)
    assert "bob mentioned you" in listed

    opened = client.post("/notifications/", {"action": "open", "notification": notification})
    assert opened.status_code == 302
    assert opened["Location"] == f"/claims/{claim.pk}/#comment-{written.pk}"
    assert "data-unread" not in client.get("/notifications/").content.decode()


def test_the_e_mail_choice_is_saved_and_a_bad_one_named(dave: User) -> None:
    client = _client(dave)
    bad = client.post("/notifications/", {"action": "email", "email": "weekly"})
    assert bad.status_code == 400 and "weekly" in bad.content.decode()
    saved = client.post("/notifications/", {"action": "email", "email": "daily"})
    assert saved.status_code == 302
    assert 'value="daily" selected' in client.get("/notifications/").content.decode()


def test_the_article_pages_comment_box_knows_whom_it_can_mention(
    claim: Claim, bob: User, dave: User
) -> None:
    import json

    def page_of(user: User) -> str:
        answer = _client(user).get(f"/articles/{claim.article_id}/")
        assert answer.status_code == 200
        return answer.content.decode()

    reviewer = page_of(bob)
    members = re.search(
        r'<script id="comment-members" type="application/json">(.*?)</script>', reviewer
    )
    assert members, "no members for the @-autocomplete"
    # The other members, never oneself.
    assert json.loads(members.group(1)) == ["alice", "carol", "dave", "erin"]
    assert 'data-form="comment"' in reviewer and "data-mentions" in reviewer
    # Only adjudicators and editors may mark a comment as an instruction for everyone.
    assert 'data-field="instruction"' not in reviewer
    assert 'data-field="instruction"' in page_of(dave)
