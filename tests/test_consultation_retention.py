"""Requests are deleted after the retention period the privacy notice states,
by the worker every day, but never while they are still being handled."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from consultations.models import ConsultationRequest, OutboxMessage
from consultations.retention import purge_expired_requests
from consultations.tasks import purge_expired_requests_daily
from tests.factories import make_consultation

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status


def received_days_ago(days, status=Status.CLOSED):
    consultation = make_consultation()
    ConsultationRequest.objects.filter(pk=consultation.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days), status=status
    )
    return consultation


def still_stored(*consultations):
    return set(
        ConsultationRequest.objects.filter(pk__in=[c.pk for c in consultations]).values_list(
            "pk", flat=True
        )
    )


def test_purge_is_a_dry_run_by_default(settings, capsys):
    settings.CONSULTATION_RETENTION_MONTHS = 12
    old = received_days_ago(400)
    call_command("purge_consultations", months=12)
    output = capsys.readouterr().out
    assert f"#{old.pk}" in output
    assert "Dry run: 1 request(s)" in output
    assert ConsultationRequest.objects.filter(pk=old.pk).exists()


def test_purge_with_apply_deletes_only_expired_requests(capsys):
    old = received_days_ago(400)
    recent = received_days_ago(300)
    call_command("purge_consultations", "--apply", months=12)
    assert not ConsultationRequest.objects.filter(pk=old.pk).exists()
    assert ConsultationRequest.objects.filter(pk=recent.pk).exists()
    assert "Deleted 1 request(s)" in capsys.readouterr().out


@pytest.mark.parametrize("status", [Status.NEW, Status.CONTACTED, Status.SCHEDULED])
def test_purge_never_deletes_a_request_still_open_however_old(status, capsys):
    open_request = received_days_ago(4000, status=status)
    assert purge_expired_requests(months=12) == 0
    call_command("purge_consultations", "--apply", months=12)
    assert still_stored(open_request) == {open_request.pk}
    assert "Kept 1 open request(s)" in capsys.readouterr().out


def test_purge_deletes_closed_and_declined_requests_with_their_outbox_messages():
    closed = received_days_ago(400, status=Status.CLOSED)
    declined = received_days_ago(400, status=Status.DECLINED)
    OutboxMessage.objects.create(
        consultation=closed, kind="patient_acknowledgement", recipients=["x@example.com"]
    )
    assert purge_expired_requests(months=12) == 2
    assert still_stored(closed, declined) == set()
    assert not OutboxMessage.objects.exists()


def test_purge_counts_the_retention_period_from_now_given(settings):
    settings.CONSULTATION_RETENTION_MONTHS = 12
    closed = received_days_ago(300)
    assert purge_expired_requests() == 0
    assert purge_expired_requests(now=timezone.now() + datetime.timedelta(days=100)) == 1
    assert still_stored(closed) == set()


def test_the_worker_purges_once_a_day():
    start = datetime.datetime(2026, 3, 1)
    minutes_in_a_day = (start + datetime.timedelta(minutes=m) for m in range(24 * 60))
    runs = [
        moment
        for moment in minutes_in_a_day
        for task in HUEY.read_periodic(moment)
        if isinstance(task, purge_expired_requests_daily.task_class)
    ]
    assert len(runs) == 1


def test_the_workers_daily_purge_deletes_expired_requests_and_keeps_open_ones(settings):
    settings.CONSULTATION_RETENTION_MONTHS = 12
    closed = received_days_ago(400)
    open_request = received_days_ago(400, status=Status.NEW)
    purge_expired_requests_daily.call_local()
    assert still_stored(closed, open_request) == {open_request.pk}


def test_purge_leaves_no_name_in_the_admin_log(capsys, admin_user):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    old = received_days_ago(400)
    recent = received_days_ago(300)
    for consultation in (old, recent):
        LogEntry.objects.create(
            user=admin_user,
            content_type=ContentType.objects.get_for_model(ConsultationRequest),
            object_id=str(consultation.pk),
            object_repr=f"Request #{consultation.pk} from Grace Hopper",
            action_flag=CHANGE,
            change_message="Grace Hopper called back",
        )
    call_command("purge_consultations", "--apply", months=12)
    purged = LogEntry.objects.get(object_id=str(old.pk))
    assert (purged.object_repr, purged.change_message) == (f"Request #{old.pk} (erased)", "")
    # Requests still held keep their log as it is.
    assert "Grace Hopper" in LogEntry.objects.get(object_id=str(recent.pk)).object_repr
