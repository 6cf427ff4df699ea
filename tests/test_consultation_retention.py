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
