"""A small fixed-window rate limiter on Django's cache.

The counters live in the default cache: Redis in production (REDIS_URL), so
that every worker process shares them; local memory in development, where
one process serves everything. Redis and local memory both increment
atomically, so concurrent requests cannot slip past the limit.
"""

import time

from django.core.cache import cache

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate):
    """ "5/h" -> (5, 3600): at most 5 uses an hour."""
    count, _, unit = rate.partition("/")
    return int(count), UNITS[unit.strip().lower()[:1]]


def allow(*, scope, key, rate):
    """Count one use of `scope` by `key`; False once the rate is exceeded."""
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=period + 60)
    try:
        used = cache.incr(cache_key)
    except ValueError:
        # The key expired between add() and incr(): start the window again.
        cache.set(cache_key, 1, timeout=period + 60)
        used = 1
    return used <= limit
