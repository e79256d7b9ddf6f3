"""Fixed people and a workspace that every test reuses, built through the real services.

alice is the desk's editor, dave its adjudicator, bob and carol are reviewers, erin annotates;
mallory is signed in but belongs to no workspace of theirs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.contrib.auth.models import User
from pytest_django import Settings
from rest_framework.test import APIClient

from annotations.api.conditional import version_in_tag
from annotations.api.serializers import COMPACT_DEFAULTS
from annotations.models import Article, Claim, Role, Workspace
from annotations.services.articles import article_create
from annotations.services.claims import claim_create
from annotations.services.workspaces import member_add, workspace_create
from tests.export_desk import Desk, build_desk

FRENCH_TEXT = (
    "Le chômage a reculé de 0,3 point au troisième trimestre, selon l'Insee.\n"
    "« Nous avons créé plus de 40 000 emplois », a déclaré la ministre du Travail. "
    "L'opposition affirme que les chiffres sont « trompeurs » 😐.\n"
    "Une trentaine de départements restent au-dessus de 9 %."
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Settings) -> None:
    # The production hasher is slow on purpose; tests create dozens of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db: None) -> Callable[[str], User]:
    def make(username: str) -> User:
        return User.objects.create_user(username, password=f"{username}-password-1")

    return make


@pytest.fixture
def alice(make_user: Callable[[str], User]) -> User:
    return make_user("alice")


@pytest.fixture
def bob(make_user: Callable[[str], User]) -> User:
    return make_user("bob")


@pytest.fixture
def carol(make_user: Callable[[str], User]) -> User:
    return make_user("carol")


@pytest.fixture
def dave(make_user: Callable[[str], User]) -> User:
    return make_user("dave")


@pytest.fixture
def erin(make_user: Callable[[str], User]) -> User:
    return make_user("erin")


@pytest.fixture
def mallory(make_user: Callable[[str], User]) -> User:
    return make_user("mallory")


@pytest.fixture
def workspace(alice: User, bob: User, carol: User, dave: User, erin: User) -> Workspace:
    ws = workspace_create(user=alice, name="Desk", organisation_name="Les Vérificateurs")
    for user, role in (
        (bob, Role.REVIEWER),
        (carol, Role.REVIEWER),
        (dave, Role.ADJUDICATOR),
        (erin, Role.ANNOTATOR),
    ):
        member_add(actor=alice, workspace=ws, username=user.username, role=role)
    return ws


@pytest.fixture
def article(workspace: Workspace, alice: User) -> Article:
    return article_create(
        user=alice, workspace=workspace, text=FRENCH_TEXT, title="Chômage", language="fr"
    )


@pytest.fixture
def claim(article: Article, bob: User) -> Claim:
    start = article.text.index("Le chômage")
    end = article.text.index(", selon")
    return claim_create(user=bob, article=article, start=start, end=end).claim


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    def client_for(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def desk(
    workspace: Workspace,
    article: Article,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    erin: User,
) -> Desk:
    """A workspace with verified, disputed and open claims, sources and adjudications: what the
    export tests read back."""
    return build_desk(
        workspace=workspace,
        article=article,
        alice=alice,
        bob=bob,
        carol=carol,
        dave=dave,
        erin=erin,
    )


def article_claims(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The claims of an article's read (GET /articles/{id}/), each with the fields its compact
    form leaves out at their default filled in, as a client does."""
    return [{**COMPACT_DEFAULTS, **claim} for claim in body["claims"]]


def etag_version(tag: str) -> int:
    """The row version an article's or a claim's ETag carries (before the dot)."""
    version = version_in_tag(tag)
    assert version is not None, tag
    return version


def results(response: Any) -> list[dict[str, Any]]:
    body = response.json()
    return list(body["results"]) if isinstance(body, dict) and "results" in body else list(body)


def assess_apart(
    api: Callable[[User | None], APIClient], claim: Claim, one: User, other: User
) -> None:
    """Two reviewers give the claim verdicts one step apart on the default scale (true, mostly
    true): a dispute under the default rule, agreement under a looser one."""
    for user, verdict in ((one, "true"), (other, "mostly-true")):
        answer = api(user).post(f"/api/v1/claims/{claim.pk}/assessments/", {"verdict": verdict})
        assert answer.status_code == 201, answer.content


@dataclass
class Receiver:
    """A small HTTP server standing in for a desk's CMS: records every POST, answers the codes in
    `answers` in turn (then 200)."""

    url: str
    answers: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    body: bytes = b"ok"


@pytest.fixture
def receiver(settings: Settings) -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.received.append({"headers": dict(self.headers), "body": body, "path": self.path})
            code = state.answers.pop(0) if state.answers else 200
            self.send_response(code)
            if 300 <= code < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/workbench"
    # The receiver is on loopback: listed, as a desk lists its own CMS.
    settings.WEBHOOK_ALLOWED_HOSTS = [f"127.0.0.1:{server.server_address[1]}"]
    yield state
    server.shutdown()
    server.server_close()
