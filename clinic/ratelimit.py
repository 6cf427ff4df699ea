"""A small fixed-window rate limiter, counted in the database.

The counts live in their own table (clinic.models.RateLimitCount), not in a
cache: a cache makes room for new pages by dropping old entries, so page
traffic could evict the counts and reopen the limit. Every worker process
shares the table, on SQLite and PostgreSQL alike, and each counted use is one
atomic upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING), so concurrent
requests cannot slip past the limit.
"""

import time

from django.db import connection

from .models import RateLimitCount

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
PERIOD_NAMES = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}


def parse_rate(rate):
    """ "5/h" -> (5, 3600): at most 5 uses an hour."""
    count, _, unit = rate.partition("/")
    return int(count), UNITS[unit.strip().lower()[:1]]


def period_name(rate):
    """ "5/h" -> "hour"."""
    return PERIOD_NAMES[parse_rate(rate)[1]]


def allow(*, scope, key, rate):
    """Count one use of `scope` by `key`; False once the rate is exceeded."""
    limit, period = parse_rate(rate)
    now = int(time.time())
    window_start = now - now % period
    used = _count_use(f"{scope}:{key}"[:200], window_start, window_start + period)
    if used == 1:
        # A new window for this client: a good moment to forget old ones.
        RateLimitCount.objects.filter(expires_at__lt=now).delete()
    return used <= limit


def _count_use(key, window_start, expires_at):
    table = connection.ops.quote_name(RateLimitCount._meta.db_table)
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} ({q("key")}, window_start, {q("count")}, expires_at)
            VALUES (%s, %s, 1, %s)
            ON CONFLICT ({q("key")}) DO UPDATE SET
                {q("count")} = CASE WHEN {table}.window_start = excluded.window_start
                    THEN {table}.{q("count")} + 1 ELSE 1 END,
                window_start = excluded.window_start,
                expires_at = excluded.expires_at
            RETURNING {q("count")}
            """,
            [key, window_start, expires_at],
        )
        return cursor.fetchone()[0]
