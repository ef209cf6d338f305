"""Fixed-window rate limits on the cache (per process by default, shared through Redis at scale)."""

import time

from django.core.cache import cache

from netmark.core.errors import RateLimited


def hit(scope: str, key: str, *, limit: int, window_seconds: int = 60) -> None:
    """Count one hit of ``key`` in ``scope``; raise ``RateLimited`` past ``limit`` per window.

    The caller logs the drop: it knows the client, workspace and actor.
    """
    window = int(time.time() // window_seconds)
    cache_key = f"rl:{scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=window_seconds * 2)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds * 2)
        count = 1
    if count > limit:
        retry_after = window_seconds - int(time.time() % window_seconds)
        raise RateLimited(retry_after=max(retry_after, 1))
