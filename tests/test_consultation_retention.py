"""Requests are deleted after the retention period the privacy notice states."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from consultations.models import ConsultationRequest
from tests.factories import make_consultation

pytestmark = pytest.mark.django_db


def received_days_ago(days):
    consultation = make_consultation()
    ConsultationRequest.objects.filter(pk=consultation.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days)
    )
    return consultation


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
