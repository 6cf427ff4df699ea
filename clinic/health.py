"""Health checks for the proxy and any orchestrator.

`/healthz`: the process answers (touches nothing else), for restarting a
stuck server. `/readyz`: the process can do its job, for taking a server out
of rotation: the database, the cache, media storage and the background
worker's heartbeat each pass, or the answer is 503 naming what failed.
Neither says anything about patients, and neither is cached.
"""

import logging
import uuid

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from .worker import worker_is_alive

logger = logging.getLogger(__name__)

PROBE_FOLDER = "readyz"


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def check_cache():
    key, token = "readyz:probe", uuid.uuid4().hex
    cache.set(key, token, timeout=30)
    return cache.get(key) == token


def check_storage():
    """Write, read back and delete a small file: each app server may hold its
    own media folder by mistake, or lose its object storage credentials."""
    token = uuid.uuid4().hex.encode()
    name = default_storage.save(f"{PROBE_FOLDER}/{uuid.uuid4().hex}.txt", ContentFile(token))
    try:
        with default_storage.open(name) as stored:
            return stored.read() == token
    finally:
        default_storage.delete(name)


def check_worker():
    return worker_is_alive()


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "worker": check_worker,
}


@never_cache
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = "ok" if check() else "failing"
        except Exception as error:
            # The type only: an error's text can hold a connection string.
            logger.warning("Readiness check %s failed: %s", name, type(error).__name__)
            results[name] = "failing"
    ready = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "failing", "checks": results}, status=200 if ready else 503
    )
