"""Domain errors raised by services and turned into HTTP answers in one place (api/errors.py).

Services also raise Django's own ValidationError (a dict of field -> messages, a 400),
PermissionDenied (403) and Http404 (404), which every Django and DRF layer already understands.
"""

from __future__ import annotations

from typing import Any


class Conflict(Exception):
    """The write would duplicate something that exists (a 409 that points at it)."""

    def __init__(self, message: str, *, field: str = "non_field_errors", existing: Any = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.existing = existing


class RateLimited(Exception):
    """Too many of one kind of write in a short time (a 429 that says when to try again)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleVersion(Exception):
    """The client edited an older version of the row than the one stored (a 412)."""

    def __init__(self, message: str, *, current_version: int):
        super().__init__(message)
        self.message = message
        self.current_version = current_version
