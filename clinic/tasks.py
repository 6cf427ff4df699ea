"""Site-wide background work: the worker's heartbeat."""

from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from .worker import record_heartbeat


@db_periodic_task(crontab(minute="*"))
def beat():
    record_heartbeat()


@HUEY.on_startup()
def beat_on_startup():
    """Beat as soon as the worker starts, not at the next whole minute."""
    try:
        record_heartbeat()
    finally:
        close_old_connections()
