"""The worker says when it last ran, for a health check to read."""

import datetime

import pytest
from django.utils import timezone

from clinic.tasks import beat
from clinic.worker import last_heartbeat, record_heartbeat, worker_is_alive

pytestmark = pytest.mark.django_db


def test_a_worker_that_never_ran_is_not_alive():
    assert last_heartbeat() is None
    assert not worker_is_alive()


def test_the_last_beat_is_remembered():
    moment = timezone.now() - datetime.timedelta(seconds=30)
    record_heartbeat(now=moment)
    record_heartbeat(now=moment + datetime.timedelta(seconds=10))
    assert last_heartbeat() == moment + datetime.timedelta(seconds=10)
    assert worker_is_alive(now=moment + datetime.timedelta(minutes=1))


def test_a_worker_silent_for_minutes_is_not_alive():
    record_heartbeat(now=timezone.now() - datetime.timedelta(minutes=10))
    assert not worker_is_alive()


def test_the_workers_minute_task_beats():
    beat.call_local()
    assert worker_is_alive()
