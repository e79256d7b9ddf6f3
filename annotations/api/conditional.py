"""Validators of the API's versioned rows (articles and claims).

An article's or a claim's ETag is `"<version>.<digest>"`:

- the part before the dot is the row's `version`, the one writes compare (send the ETag back as
  If-Match, or the number alone, or `version` in the body);
- the digest is of the representation this reader got (blind review gives two reviewers two
  different bodies of one claim, and a colleague's verdict changes an article's claims without
  changing the article's own version): send the ETag back as If-None-Match on a read and, while
  what you would get is unchanged, the answer is 304 Not Modified with no body.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from rest_framework.request import Request
from rest_framework.response import Response


def representation_tag(version: int, body: bytes) -> str:
    return f'"{version}.{hashlib.blake2b(body, digest_size=12).hexdigest()}"'


def version_in_tag(header: str) -> int | None:
    """The row version an If-Match header names (`"7.ab12…"`, `"7"` or `W/"7"`); None when it
    names none."""
    value = header.strip().removeprefix("W/").strip().strip('"').split(".", 1)[0]
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    return int(value) if value.isascii() and value.isdigit() else None


def versioned(response: Response, version: int) -> Response:
    """Mark an answer as the representation of a row at `version`: ConditionalReads gives it its
    ETag once it is rendered."""
    response.row_version = version  # type: ignore[attr-defined]
    return response


class ConditionalReads:
    """A viewset mixin: answers marked by `versioned` get their ETag from what was rendered, and a
    read whose If-None-Match names it gets 304. Each reader's body differs, so no shared cache
    may keep one (private), and every use must be revalidated (no-cache)."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        version = getattr(response, "row_version", None)
        if version is None or response.status_code >= 300:
            return response
        response.render()
        tag = representation_tag(version, response.content)
        response["ETag"] = tag
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ("Authorization", "Cookie"))
        if request.method in ("GET", "HEAD") and _names(
            request.headers.get("If-None-Match", ""), tag
        ):
            unchanged = Response(status=304)
            for header in ("ETag", "Cache-Control", "Vary"):
                unchanged[header] = response[header]
            for attribute in ("accepted_renderer", "accepted_media_type", "renderer_context"):
                setattr(unchanged, attribute, getattr(response, attribute))
            return unchanged
        return response


def _names(if_none_match: str, tag: str) -> bool:
    """Whether an If-None-Match header names this tag (weakly, as RFC 9110 compares for it)."""
    if if_none_match.strip() == "*":
        return True
    return tag.removeprefix("W/") in {t.removeprefix("W/") for t in parse_etags(if_none_match)}
