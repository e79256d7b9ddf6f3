"""Accessibility of the pages the desk-day screenshots do not reach: axe-core (every rule, through
Session.check_accessibility) finds no serious or critical violation on the editor's settings,
members, exports, dashboard and agreement pages, on the home and sign-in pages, and on a published
claim's public page, also in the states that show a form's errors."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from annotations.services.publishing import claim_publish
from annotations.services.workspaces import workspace_update
from tests.export_desk import Desk

Start = Any  # the `session` fixture: start(user, locale) -> Session


def _submit(page: Page, button: str) -> None:
    with page.expect_navigation():
        page.click(button)


def test_the_editors_pages_pass_axe_also_with_form_errors(
    session: Start, desk: Desk, alice: User
) -> None:
    editor = session(alice)
    ws = desk.workspace.pk
    page = editor.open("/")
    expect(page.locator("h1")).to_be_visible()
    editor.check_accessibility("home")

    page = editor.open(f"/workspaces/{ws}/settings/")
    editor.check_accessibility("settings")
    page.fill("#id_ws-reviewers_per_claim", "0")
    page.fill("#id_ws-organisation_url", "not an address")
    _submit(page, "form.settings button[type=submit]")
    expect(page.locator(".has-error").first).to_be_visible()
    editor.check_accessibility("settings-with-errors")

    page = editor.open(f"/workspaces/{ws}/members/")
    editor.check_accessibility("members")
    page.fill(".invite-form [name$=email]", "not-an-address")
    _submit(page, ".invite-form button[type=submit]")
    expect(page.locator(".invite-form .has-error")).to_be_visible()
    editor.check_accessibility("members-with-errors")

    page = editor.open(f"/workspaces/{ws}/exports/")
    editor.check_accessibility("exports")
    page.fill('[data-form="export"] [name="export-article"]', "12,abc")
    _submit(page, '[data-form="export"] button[value="download"]')
    expect(page.locator('[data-form="export"] .has-error').first).to_be_visible()
    editor.check_accessibility("exports-with-errors")

    page = editor.open(f"/workspaces/{ws}/dashboard/")
    expect(page.locator("h1")).to_be_visible()
    editor.check_accessibility("dashboard")

    editor.open(f"/workspaces/{ws}/agreement/")
    editor.check_accessibility("agreement")

    page = editor.open("/workspaces/new/")
    _submit(page, "main form button[type=submit]")
    expect(page.locator(".has-error").first).to_be_visible()
    editor.check_accessibility("workspace-new-with-errors")


def test_the_sign_in_and_public_claim_pages_pass_axe(
    session: Start, desk: Desk, alice: User
) -> None:
    claim_publish(user=alice, claim=desk.unemployment)
    workspace_update(user=alice, workspace=desk.workspace, public_claim_pages=True)
    visitor = session(None)

    page = visitor.open(f"/claims/{desk.unemployment.pk}/")
    expect(page.get_by_text(desk.unemployment.exact).first).to_be_visible()
    visitor.check_accessibility("public-claim-page")

    page = visitor.open("/login/")
    visitor.check_accessibility("login")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "not-her-password")
    _submit(page, "form.stacked button[type=submit]")
    expect(page.locator("main .error, .error").first).to_be_visible()
    visitor.check_accessibility("login-with-error")
