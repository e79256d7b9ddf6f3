"""A Content-Security-Policy header on every response.

The workbench's pages load scripts and styles only from their own origin: configuration travels in
`json_script` data blocks, behaviour in static files, so no inline script is ever needed and an
injected one would not run. The one exception is the API's Swagger page, whose template (from
drf-spectacular) carries an inline <style>; its script is served as a file (the split view).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # data: for the small SVG icons that the admin and Swagger UI embed in their stylesheets.
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
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


def policy_for(path: str) -> str:
    return WITH_INLINE_STYLES if path.startswith(INLINE_STYLE_PATHS) else STRICT


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # A view that sets its own policy keeps it.
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy_for(request.path)
        return response
