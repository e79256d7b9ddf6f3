"""Throttles that let requests through when their counter cannot be read.

DRF's throttles keep their counts in the cache (Redis in production). When Redis is down or hung,
DRF's own throttle raises, so `POST /api/v1/auth/token/` answered 500 and nobody could sign in
during a broker outage. A limit on guessing passwords is worth less than signing in at all: these
let the request through and log a warning (the passwords are still checked). CACHE_TIMEOUT bounds
how long one look at the cache may take.
"""

from __future__ import annotations

import logging

import redis
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

logger = logging.getLogger(__name__)


class FailOpenScopedRateThrottle(ScopedRateThrottle):
    """ScopedRateThrottle (the view's throttle_scope), not applied while the cache is unreachable."""

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)
        except (redis.RedisError, OSError) as exc:
            logger.warning(
                "the %r throttle is off: the cache cannot be reached (%s)",
                getattr(view, "throttle_scope", None),
                exc,
            )
            return True
