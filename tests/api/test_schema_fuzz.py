"""schemathesis over the whole API schema: a few generated requests per operation, every check on.

Each operation is called as the desk's editor (who may do everything, so the requests reach the
validation and the services, not a 403), on a desk with claims in every state, with the path's
identifiers pointing at real rows of the right kind (a generated number would only ever find a
404). What must hold: no 5xx, and every answer as the schema says (status code, content type,
headers, body), bad input refused and good input accepted.

CI runs SCHEMA_EXAMPLES generated requests per operation (a few seconds in all); `make
bench-schema` runs many more, and the stateful phase, against a live server.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, settings
from pytest_django import DjangoDbBlocker
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig

from annotations.models import (
    Article,
    Assessment,
    CandidateClaim,
    Claim,
    ClaimSource,
    DatasetRelease,
    ExportJob,
    Role,
)
from annotations.services.articles import article_create
from annotations.services.workspaces import member_add, workspace_create
from tests.conftest import FRENCH_TEXT
from tests.export_desk import build_desk

SCHEMA_EXAMPLES = int(os.environ.get("SCHEMA_EXAMPLES", "5"))
# The editor's API token (`rows` makes it): given to schemathesis as the schema's credentials, so
# that its authentication checks know what to take away (a request without it must be refused).
EDITOR_TOKEN = "schemathesis-editor-0000000000000000000"
# As tests/conftest.py's _fast_passwords: the production hasher is slow on purpose.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Every check on, but for these, each with its reason:
CHECKS = {
    # "A request the schema allows is accepted": whether it is depends on the data, which no
    # schema can say: a verdict must be on the workspace's scale, a username a user's, offsets
    # inside the article's text, a version the current one, a publication of a published claim...
    # Its refusals are still checked (a 4xx in the schema, a JSON body, never a 5xx).
    "positive_data_acceptance": {"enabled": False},
    # "A request the schema refuses is refused": DRF's fields coerce on purpose where the
    # schema names one JSON type: a number where text is expected is taken as its digits, "0.5"
    # as a number, "yes" or "1" as true, a date where a date-time is expected as its midnight.
    # What is out of range or malformed is refused field by field (tests/api/test_odd_input.py,
    # test_input_bounds.py); here those refusals are still checked for their status and body.
    "negative_data_rejection": {"enabled": False},
}  # fmt: skip

# Where a path says {id}, which kind of row it means, by the path's first segment.
ID_OF_SEGMENT = {
    "articles": "article",
    "claims": "claim",
    "candidates": "candidate",
    "assessments": "assessment",
    "workspaces": "workspace",
}
ID_OF_NAME = {
    "article_id": "article",
    "claim_id": "claim",
    "candidate_id": "candidate",
    "workspace_id": "workspace",
    "job_id": "job",
    "link_id": "link",
    "user_id": "member",
    "release_id": "release",
}


def _load_schema() -> Any:
    """The schema drf-spectacular serves at /api/schema/, generated in-process at collection."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    loaded = schemathesis.openapi.from_dict(
        json.loads(OpenApiJsonRenderer().render(document)),
        config=SchemathesisConfig.from_dict(
            {"checks": CHECKS, "headers": {"Authorization": f"Token {EDITOR_TOKEN}"}}
        ),
    )
    # The project's WSGI handler, without workbench.wsgi's start-up check of the database.
    loaded.app = WSGIHandler()
    return loaded


schema = _load_schema()


@pytest.fixture(autouse=True)
def _connection_kept_open() -> Iterator[None]:
    """As Django's test client does, the request signals leave the test's connection open (it
    holds the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _build_rows() -> dict[str, Any]:
    """The desk of tests/conftest.py (its people, workspace and French article, then
    tests/export_desk.py's claims in every state), and the real rows each kind of identifier
    points at, with the editor's token."""
    alice, bob, carol, dave, erin = (
        User.objects.create_user(name, password=f"{name}-password-1")
        for name in ("alice", "bob", "carol", "dave", "erin")
    )
    workspace = workspace_create(user=alice, name="Desk", organisation_name="Les Vérificateurs")
    for user, role in (
        (bob, Role.REVIEWER),
        (carol, Role.REVIEWER),
        (dave, Role.ADJUDICATOR),
        (erin, Role.ANNOTATOR),
    ):
        member_add(actor=alice, workspace=workspace, username=user.username, role=role)
    french = article_create(
        user=alice, workspace=workspace, text=FRENCH_TEXT, title="Chômage", language="fr"
    )
    build_desk(
        workspace=workspace, article=french, alice=alice, bob=bob, carol=carol, dave=dave, erin=erin
    )
    # A disputed claim: every write on a claim (assess, adjudicate, publish...) may apply to it.
    claim = Claim.objects.get(workspace=workspace, status=Claim.Status.DISPUTED)
    article = Article.objects.get(pk=claim.article_id)
    candidate = CandidateClaim.objects.filter(article__workspace=workspace).first()
    link = ClaimSource.objects.filter(claim__workspace=workspace).first()
    job = ExportJob.objects.filter(workspace=workspace).first()
    release = DatasetRelease.objects.filter(workspace=workspace).first()
    assessment = Assessment.objects.filter(claim__workspace=workspace).first()
    return {
        "token": Token.objects.create(user=alice, key=EDITOR_TOKEN).key,
        "workspace": workspace.pk,
        "article": article.pk,
        "claim": claim.pk,
        "candidate": candidate.pk if candidate else 1,
        "assessment": assessment.pk if assessment else 1,
        "link": link.pk if link else 1,
        "job": job.pk if job else 1,
        "release": release.pk if release else 1,
        "member": erin.pk,
    }


@pytest.fixture(scope="module")
def rows(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[dict[str, Any]]:
    """The desk's rows, built once for the module (not once per operation, which took two thirds
    of the run), inside a transaction left open until the module ends, then rolled back.

    Each test is pytest-django's as ever (django_db): its own transaction, here a savepoint inside
    this one, rolled back after it, so every operation starts from the same desk."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            built = _build_rows()
        yield built
        transaction.set_rollback(True)


def _point_at_real_rows(case: Any, rows: dict[str, Any]) -> None:
    path = case.operation.path.removeprefix("/api/v1/")
    segment = path.split("/", 1)[0]
    for name in list(case.path_parameters or {}):
        kind = ID_OF_NAME.get(name) or (ID_OF_SEGMENT.get(segment) if name == "id" else None)
        # Only a well-formed identifier is replaced: a malformed one (a negative case) stays, to
        # be refused.
        if kind is not None and str(case.path_parameters[name]).isdigit():
            case.path_parameters[name] = rows[kind]


@schema.parametrize()  # type: ignore[untyped-decorator]
@settings(
    max_examples=SCHEMA_EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_every_operation_answers_as_its_schema_says(case: Any, rows: dict[str, Any]) -> None:
    _point_at_real_rows(case, rows)
    case.call_and_validate()
