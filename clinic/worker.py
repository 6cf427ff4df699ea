"""The background worker's heartbeat: when it last ran, for health checks."""

import datetime

from django.utils import timezone

from .models import WorkerHeartbeat

# The worker beats at least once a minute.
HEARTBEAT_MAX_AGE = datetime.timedelta(minutes=3)


def record_heartbeat(*, now=None):
    WorkerHeartbeat.objects.update_or_create(
        pk=WorkerHeartbeat.SINGLETON_PK, defaults={"beat_at": now or timezone.now()}
    )


def last_heartbeat():
    """When the worker last ran, or None if it never has."""
    return (
        WorkerHeartbeat.objects.filter(pk=WorkerHeartbeat.SINGLETON_PK)
        .values_list("beat_at", flat=True)
        .first()
    )


def worker_is_alive(*, now=None, max_age=HEARTBEAT_MAX_AGE):
    beat_at = last_heartbeat()
    return beat_at is not None and (now or timezone.now()) - beat_at <= max_age
