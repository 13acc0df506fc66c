"""The cache: Redis, with this process's memory standing in while Redis does not answer.

The cache holds nothing that cannot be lost: allauth's rate-limit counts (logins, failed
logins, signups, password resets, confirmation emails), the program settings' version
(members/program.py), each cycle's survey answers counted (pairs/survey_tallies.py).
Every login, signup and reset reads and writes the rate limits, so with Redis down each of
those answered 500, and with Redis hung each waited the 2 s timeout and then answered 500:
nobody could log in.

Now the first call that finds Redis unreachable logs a warning, and for
`OUTAGE_SECONDS` every call goes to a memory cache of this process without trying
Redis (a hung Redis costs one request one timeout, not every request). Why memory and
not the alternatives:

- failing open (no limits while Redis is down) would let anyone guess passwords at full
  speed for as long as Redis is away; in memory the limits keep counting, only each web
  process on its own (with 3 gunicorn workers, at most 3× the tries);
- a database table would count across processes, but needs a table (`createcachetable`,
  outside the migrations) and a database write on every login attempt, for a fault that
  should be short.

/health/ asks Redis itself (`check_redis`), so it still answers 503 during the outage.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

# How long an outage is assumed to last before Redis is tried again.
OUTAGE_SECONDS = 30.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

# Per process, shared by its threads (each thread has its own cache object).
_outage_until = 0.0  # time.monotonic() until which Redis is not tried
_in_outage = False


def outage_forget() -> None:
    """Try Redis again at the next call (tests, after bringing Redis back)."""
    global _outage_until, _in_outage
    _outage_until, _in_outage = 0.0, False


class _OneClientPerPool(RedisCacheClient):
    """Django's client, which builds a new redis.Redis around the same connection pool for every
    call: ~0.2 ms of CPU each time (its table of ~170 reply parsers), a third of a cache call and
    several times a page. A redis.Redis is safe to share between threads (each command takes a
    connection from the pool), so one per pool does the same work."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCacheWithStandIn(RedisCache):
    """Django's Redis cache; this process's memory while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool
        # The same key prefix, version and timeouts; the Redis socket options do not apply.
        self._stand_in = LocMemCache("redis-stand-in", {**params, "OPTIONS": {"MAX_ENTRIES": 10_000}})

    def _call(self, method: str, *args, **kwargs):
        global _outage_until, _in_outage
        if time.monotonic() >= _outage_until:
            try:
                result = getattr(super(), method)(*args, **kwargs)
            except UNREACHABLE as e:
                _outage_until, _in_outage = time.monotonic() + OUTAGE_SECONDS, True
                log.warning(
                    "cache: Redis does not answer (%s); rate limits count in this process's memory for the next %.0f s",
                    e,
                    OUTAGE_SECONDS,
                )
            else:
                if _in_outage:
                    _in_outage = False
                    log.warning("cache: Redis answers again; rate limits count there again")
                return result
        return getattr(self._stand_in, method)(*args, **kwargs)

    def check_redis(self) -> None:
        """Raise unless Redis itself stores and returns a value now, whatever the stand-in does."""
        super().set("health-check", "ok", 10)
        if super().get("health-check") != "ok":
            raise RedisConnectionError("Redis did not return the value just written")

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")
