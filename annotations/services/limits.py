"""Per-person limits on writes counted in the cache (Redis when REDIS_URL is set): comments,
member additions. The callers fail open when the cache cannot be reached: the write is worth more
than the limit, and each keeps its own trail."""

from __future__ import annotations

from django.core.cache import cache


def counted(key: str, period: int) -> int | None:
    """Count one more use of `key` in a window of `period` seconds; the count so far, or None
    when the cache cannot be reached."""
    try:
        cache.add(key, 0, timeout=period)
        return int(cache.incr(key))
    except Exception:
        return None
