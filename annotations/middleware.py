"""A Content-Security-Policy header on every response; and the browser tab a request comes from,
for the live feed (LiveTabMiddleware, at the end).

The workbench's pages load scripts and styles only from their own origin: configuration travels in
`json_script` data blocks, behaviour in static files, so no inline script is ever needed and an
injected one would not run. The one exception is the API's Swagger page, whose template (from
drf-spectacular) carries an inline <style>; its script is served as a file (the split view).

A view may allow images from one more origin on its own response (`allow_images_from`): the public
claim page shows the organisation's logo from wherever the desk keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


def _live_origin() -> list[str]:
    """The origin of LIVE_URL (scheme, host, port), when the pages' sockets go elsewhere."""
    parts = urlsplit(settings.LIVE_URL)
    if parts.scheme in ("ws", "wss") and re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", parts.netloc):
        return [f"{parts.scheme}://{parts.netloc}"]
    return []


POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # data: for the small SVG icons that the admin and Swagger UI embed in their stylesheets.
    "img-src": "'self' data:",
    "font-src": "'self'",
    # 'self' covers the page's own ws:// and wss:// origin; LIVE_URL adds daphne's own address.
    "connect-src": " ".join(["'self'", *_live_origin()]),
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# Paths (prefixes) whose third-party templates need inline styles; scripts stay strict.
INLINE_STYLE_PATHS = ("/api/docs/",)


def _header(policy: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in policy.items())


STRICT = _header(POLICY)
WITH_INLINE_STYLES = _header({**POLICY, "style-src": "'self' 'unsafe-inline'"})


def policy_for(path: str, *, images_from: str = "") -> str:
    """The policy of a response to `path`; `images_from`, an origin as `image_origin` gives it,
    is added to img-src."""
    policy = (
        {**POLICY, "style-src": "'self' 'unsafe-inline'"}
        if path.startswith(INLINE_STYLE_PATHS)
        else POLICY
    )
    if images_from:
        policy = {**policy, "img-src": f"{policy['img-src']} {images_from}"}
    return _header(policy)


# A host name (letters, digits, dots, hyphens: an international name is given as ASCII) or an
# IPv6 address in brackets: nothing that could end the directive or start another one.
_HOST = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")


def image_origin(url: str) -> str | None:
    """The origin of an http(s) image address, as a CSP source (scheme, host, port when not the
    default); None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii").lower()
    except (ValueError, UnicodeError):
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    if not _HOST.fullmatch(host):
        return None
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")


def allow_images_from(request: HttpRequest, response: HttpResponseBase, url: str) -> None:
    """Let `response` show images from the origin of `url` (an http(s) address), and from
    nowhere else than the policy already allows."""
    origin = image_origin(url)
    if origin:
        response["Content-Security-Policy"] = policy_for(request.path, images_from=origin)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # A view that sets its own policy keeps it.
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy_for(request.path)
        return response


class LiveTabMiddleware:
    """The browser tab a request comes from (its X-Workbench-Tab header, which the article page's
    API client sends): recorded on the live events its changes write (services.live), so that tab
    skips them and the same person's other tabs apply them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        from annotations.services.live import changes_from_tab

        with changes_from_tab(request.headers.get("X-Workbench-Tab")):
            return self.get_response(request)
