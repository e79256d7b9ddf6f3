"""Create (or top up) the demo workspace: one user per role and sample articles in FR and EN.

Idempotent: running it again creates nothing twice, so `make run` can call it every time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.dateparse import parse_datetime

from annotations.models import Article, Membership, Role, Workspace
from annotations.services.articles import article_create
from annotations.services.workspaces import member_add, workspace_create

DEMO_USERS = (
    ("alice", Role.EDITOR),
    ("dave", Role.ADJUDICATOR),
    ("bob", Role.REVIEWER),
    ("carol", Role.REVIEWER),
    ("erin", Role.ANNOTATOR),
)
WORKSPACE_NAME = "Demo desk"
ARTICLES = Path(__file__).resolve().parents[2] / "demo" / "articles.json"


class Command(BaseCommand):
    help = "Create the demo workspace, its users (one per role) and sample French and English articles."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", "workbench-demo"),
            help="Password of the demo users (default: $DEMO_PASSWORD or 'workbench-demo').",
        )

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        with transaction.atomic():
            users = {name: self._user(name, password) for name, _role in DEMO_USERS}
            workspace = Workspace.objects.filter(name=WORKSPACE_NAME).first()
            if workspace is None:
                workspace = workspace_create(
                    user=users["alice"],
                    name=WORKSPACE_NAME,
                    organisation_name="Demo Fact-Check Desk",
                    organisation_url="https://factcheck-desk.example/",
                    reviewers_per_claim=2,
                )
            for name, role in DEMO_USERS:
                if not Membership.objects.filter(workspace=workspace, user=users[name]).exists():
                    member_add(actor=users["alice"], workspace=workspace, username=name, role=role)
            created = 0
            for item in json.loads(ARTICLES.read_text(encoding="utf-8")):
                if Article.objects.filter(workspace=workspace, url=item["url"]).exists():
                    continue
                article_create(
                    user=users["alice"],
                    workspace=workspace,
                    text=item["text"],
                    url=item["url"],
                    title=item["title"],
                    publisher=item["publisher"],
                    author=item["author"],
                    language=item["language"],
                    published_at=parse_datetime(item["published_at"]),
                )
                created += 1
        self.stdout.write(
            f"Demo workspace {workspace.name!r}: {created} article(s) added. "
            f"Sign in as alice (editor, admin), dave (adjudicator), bob or carol (reviewers) "
            f"or erin (annotator), password {password!r}."
        )

    def _user(self, name: str, password: str) -> User:
        user, created = User.objects.get_or_create(username=name)
        if created:
            user.set_password(password)
            # alice runs the desk: she also gets the Django admin.
            user.is_staff = user.is_superuser = name == "alice"
            user.save()
        return user
