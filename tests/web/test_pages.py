"""The server-rendered pages, the admin and the deployment checks."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from annotations.models import Article, Claim, Membership, Workspace

ROOT = Path(__file__).resolve().parents[2]
ADMIN_MODELS = (
    "workspace",
    "membership",
    "article",
    "claim",
    "highlight",
    "assessment",
    "verdictlabel",
    "source",
    "claimsource",
    "adjudication",
    "candidateclaim",
    "articlerevision",
    "scorermodel",
    "claimmatch",
    "assignment",
    "disagreement",
    "claimevent",
    "exportjob",
    "datasetrelease",
    "releasefile",
)


def test_it_sends_anonymous_visitors_to_sign_in(db: None) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lists_my_workspaces_with_my_role_on_the_home_page(
    workspace: Workspace, bob: User
) -> None:
    client = Client()
    client.force_login(bob)
    page = client.get("/").content.decode()
    assert "Desk" in page
    assert "Reviewer" in page


def test_it_signs_in_with_a_password(alice: User) -> None:
    client = Client(enforce_csrf_checks=False)
    response = client.post(reverse("login"), {"username": "alice", "password": "alice-password-1"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_it_answers_the_health_check(db: None) -> None:
    response = Client().get("/healthz")
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_it_shows_every_model_in_the_admin(model: str, claim: Claim, alice: User) -> None:
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client = Client()
    client.force_login(alice)
    listing = client.get(f"/admin/annotations/{model}/", {"q": "chômage"})
    assert listing.status_code == 200


def test_it_shows_an_articles_text_read_only_in_the_admin(article: Article, alice: User) -> None:
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client = Client()
    client.force_login(alice)
    page = client.get(f"/admin/annotations/article/{article.pk}/change/").content.decode()
    assert 'name="text"' not in page
    assert "Le chômage a reculé" in page


def test_it_loads_the_demo_desk_once_however_often_it_runs(db: None) -> None:
    out = io.StringIO()
    call_command("load_demo", password="demo-pass-123", stdout=out)
    call_command("load_demo", password="demo-pass-123", stdout=out)
    assert "4 article(s) added" in out.getvalue()
    assert "0 article(s) added" in out.getvalue()
    workspace = Workspace.objects.get(name="Demo desk")
    roles = dict(
        Membership.objects.filter(workspace=workspace).values_list("user__username", "role")
    )
    assert roles == {"alice": 40, "dave": 30, "bob": 20, "carol": 20, "erin": 10}
    languages = sorted(
        Article.objects.filter(workspace=workspace).values_list("language", flat=True)
    )
    assert languages == ["en", "en", "fr", "fr"]
    assert User.objects.get(username="alice").check_password("demo-pass-123")


def test_it_passes_the_deployment_checks_with_production_settings() -> None:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-production-secret-key-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c",
        "ALLOWED_HOSTS": "workbench.example.org",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    for name in ("SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECURE_HSTS_SECONDS", "STATIC_MANIFEST"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
