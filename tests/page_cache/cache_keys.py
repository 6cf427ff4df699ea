"""The keys the cache holds, counted in the real cache: local memory, or Redis
when REDIS_URL is set."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def cache_keys():
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client()
        return [key.decode() for key in client.scan_iter()]
    return list(backend._cache)


def page_keys():
    return [key for key in cache_keys() if ":page:" in key]
