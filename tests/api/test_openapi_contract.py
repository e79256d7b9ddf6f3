"""The OpenAPI schema as the project serves it (GET /api/schema/) holds as a contract for outside
tools: valid under openapi-spec-validator, defaults that satisfy their own schemas, files typed as
files, one body type per write, every error answer documented, one tag per resource.

tests/api/test_schema_fuzz.py checks that the API answers as this schema says.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from annotations.api.schema import TAG_DESCRIPTIONS
from annotations.models import Article, Workspace

Operation = tuple[str, str, dict[str, Any]]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# The writes that take more than one body type, each really accepted: an import takes a file
# upload (multipart) or the address of a file (JSON).
SEVERAL_BODY_TYPES = {
    ("post", "/api/v1/workspaces/{workspace_id}/imports/"): {
        "application/json",
        "multipart/form-data",
    },
}
# The routes that answer with a file, and the media types the formats give it.
DOWNLOADS = {
    "/api/v1/workspaces/{workspace_id}/export/",
    "/api/v1/exports/{job_id}/download/",
    "/api/v1/releases/{release_id}/files/{format_key}/",
}
FILE_TYPES = {"application/ld+json", "application/x-ndjson", "text/csv"}


@pytest.fixture(scope="module")
def schema(django_db_blocker: Any) -> dict[str, Any]:
    """What GET /api/schema/ serves, in JSON (no database needed to draw it)."""
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document: dict[str, Any] = response.json()
    return document


def _operations(schema: dict[str, Any]) -> Iterator[Operation]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def _nodes(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every JSON object in the document, with where it is."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nodes(value, f"{where}/{index}")


def _is_address(value: object) -> bool:
    """format: uri, as validators that check formats read it: a scheme, and more after it."""
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.path))


def test_the_served_schema_is_valid_openapi(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.0")
    validate(schema)  # raises, saying where, on the first problem


def test_every_default_satisfies_its_own_schema(schema: dict[str, Any]) -> None:
    """A default is a value the schema must accept: "" is no `format: uri`, nor a slug that must
    have a character (openapi-spec-validator checks formats where a format checker is installed,
    as it was where this was found)."""
    broken = []
    for where, node in _nodes(schema["components"]):
        if "default" not in node or "$ref" in node:
            continue
        default = node["default"]
        own = {key: value for key, value in node.items() if key not in ("default", "description")}
        broken += [
            f"{where}: {error.message}" for error in OAS30Validator(own).iter_errors(default)
        ]
        if node.get("format") == "uri" and not _is_address(default):
            broken.append(f"{where}: {default!r} is not a 'uri'")
    assert not broken, broken


def test_files_are_typed_as_files(schema: dict[str, Any]) -> None:
    """A download says its formats' own media types, and application/octet-stream first (what a
    generated client takes as bytes), never application/json."""
    for path in DOWNLOADS:
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert next(iter(content)) == "application/octet-stream", path
        assert "application/json" not in content, path
        assert set(content) >= FILE_TYPES, path
        for media_type, body in content.items():
            if media_type.endswith("+json"):
                # JSON-LD (ClaimReview) is one JSON document: said as such.
                assert body["schema"]["type"] == "array", (path, media_type)
            else:
                assert body["schema"] == {"type": "string", "format": "binary"}, (path, media_type)


def test_one_body_type_per_write_unless_more_are_taken(schema: dict[str, Any]) -> None:
    several = {}
    for method, path, operation in _operations(schema):
        types = set(operation.get("requestBody", {}).get("content", {}))
        if len(types) > 1:
            several[method, path] = types
        else:
            assert types <= {"application/json"}, (method, path, types)
    assert several == SEVERAL_BODY_TYPES


def test_every_operation_documents_its_errors_with_the_error_body(schema: dict[str, Any]) -> None:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    assert "detail" in schema["components"]["schemas"]["Error"]["properties"]
    for method, path, operation in _operations(schema):
        responses = operation["responses"]
        if path != "/api/v1/auth/token/":
            assert {"401", "403"} <= set(responses), (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(responses), (method, path)
        if method != "get":
            assert "409" in responses, (method, path)
        for code, response in responses.items():
            if code.startswith("4"):
                assert response["content"] == error, (method, path, code)
                assert response["description"], (method, path, code)


def test_errors_particular_to_some_operations_are_where_they_are_given(
    schema: dict[str, Any],
) -> None:
    paths = schema["paths"]
    # Versioned edits: a stale version (412), none at all (428).
    for path in ("/api/v1/claims/{id}/", "/api/v1/assessments/{id}/"):
        assert {"412", "428"} <= set(paths[path]["patch"]["responses"]), path
    assert "412" not in paths["/api/v1/claims/"]["post"]["responses"]
    # A release's `version` is its name, no edit version.
    assert "412" not in paths["/api/v1/workspaces/{workspace_id}/releases/"]["post"]["responses"]
    # Throttled or rate-limited.
    for method, path in (
        ("post", "/api/v1/auth/token/"),
        ("post", "/api/v1/workspaces/{id}/members/"),
        ("post", "/api/v1/claims/{claim_id}/comments/"),
    ):
        assert "429" in paths[path][method]["responses"], path
    assert "429" not in paths["/api/v1/claims/"]["get"]["responses"]
    # A stored file before its job or release is done.
    for path in DOWNLOADS - {"/api/v1/workspaces/{workspace_id}/export/"}:
        assert "409" in paths[path]["get"]["responses"], path
    # Signing in needs no account yet.
    assert "401" not in paths["/api/v1/auth/token/"]["post"]["responses"]


def test_operations_are_tagged_by_resource(schema: dict[str, Any]) -> None:
    tags = {
        (method, path): operation.get("tags") for method, path, operation in _operations(schema)
    }
    assert all(tag is not None and len(tag) == 1 for tag in tags.values()), tags
    expected = {
        ("get", "/api/v1/workspaces/"): "workspaces",
        ("post", "/api/v1/workspaces/{id}/members/"): "members",
        ("get", "/api/v1/articles/{id}/"): "articles",
        ("post", "/api/v1/articles/{id}/revisions/"): "articles",
        ("post", "/api/v1/claims/{id}/publish/"): "claims",
        ("delete", "/api/v1/claims/{id}/highlights/mine/"): "highlights",
        ("post", "/api/v1/claims/{id}/assessments/"): "assessments",
        ("delete", "/api/v1/claims/{id}/sources/{link_id}/"): "sources",
        ("post", "/api/v1/claims/{id}/adjudication/"): "adjudications",
        ("get", "/api/v1/claims/{id}/adjudication/context/"): "adjudications",
        ("post", "/api/v1/claims/{claim_id}/comments/"): "comments",
        ("get", "/api/v1/exports/{job_id}/download/"): "exports",
        ("get", "/api/v1/workspaces/{workspace_id}/export/"): "exports",
        ("get", "/api/v1/releases/{release_id}/files/{format_key}/"): "releases",
        ("post", "/api/v1/webhook-deliveries/{delivery_id}/redeliver/"): "webhooks",
        ("post", "/api/v1/notifications/read/"): "notifications",
    }
    assert {key: tags[key][0] for key in expected} == expected  # type: ignore[index]
    used = {tag[0] for tag in tags.values() if tag}
    assert len(used) >= 15
    # Every tag in use is listed, with what it holds.
    assert [entry["name"] for entry in schema["tags"]] == sorted(used)
    assert all(entry["description"] == TAG_DESCRIPTIONS[entry["name"]] for entry in schema["tags"])


# --- The bodies the server takes are the ones the schema says ---------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("workspace={workspace}&text=Le+ch%C3%B4mage", "application/x-www-form-urlencoded"),
        (
            '--b\r\nContent-Disposition: form-data; name="text"\r\n\r\nLe chômage\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
        ),
    ],
)
def test_a_json_only_write_refuses_a_form_with_a_json_415(
    body: str, content_type: str, workspace: Workspace, alice: User
) -> None:
    client = APIClient()
    client.force_authenticate(alice)

    response = client.post(
        "/api/v1/articles/", body.format(workspace=workspace.pk), content_type=content_type
    )

    assert response.status_code == 415, response.content
    assert response["Content-Type"].startswith("application/json")
    assert content_type.split(";", maxsplit=1)[0] in response.json()["detail"]
    assert not Article.objects.exists()
    sent_as_json = client.post(
        "/api/v1/articles/", {"workspace": workspace.pk, "text": "Le chômage a reculé."}
    )
    assert sent_as_json.status_code == 201, sent_as_json.content


def test_signing_in_takes_json(alice: User) -> None:
    cache.clear()  # the token route's throttle
    json = APIClient().post(
        "/api/v1/auth/token/", {"username": "alice", "password": "alice-password-1"}
    )
    assert json.status_code == 200, json.content
    assert json.json()["token"]
    form = APIClient().post(
        "/api/v1/auth/token/",
        "username=alice&password=alice-password-1",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 415


def test_signing_in_is_declared_as_needing_no_credentials(schema: dict[str, Any]) -> None:
    # A generated client then calls it on an anonymous client (it used to type it as needing one
    # already signed in); every other operation still asks for a token or a session.
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert token["security"] == [{}]
    others = [
        (path, method)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and operation.get("security") == [{}]
    ]
    assert others == [("/api/v1/auth/token/", "post")], others


def test_a_signed_in_browser_may_still_ask_for_a_token(alice: User) -> None:
    cache.clear()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    answer = client.post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": "alice-password-1"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    wrong = client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "nope"}, format="json"
    )
    assert wrong.status_code == 400
    assert "non_field_errors" in wrong.json()
