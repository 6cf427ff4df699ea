import datetime

import pytest
from django.utils import timezone

from consultations import red_flags
from consultations.models import ConsultationRequest
from consultations.red_flags import Urgency
from tests.factories import make_consultation

Status = ConsultationRequest.Status


@pytest.mark.parametrize(
    ("codes", "urgency"),
    [
        ([], Urgency.ROUTINE),
        (["injury"], Urgency.URGENT),
        (["cancer", "weight_loss"], Urgency.URGENT),
        (["saddle_numbness"], Urgency.EMERGENCY),
        (["fever", "both_legs"], Urgency.EMERGENCY),
    ],
)
def test_urgency_follows_the_worst_warning_sign(codes, urgency):
    assert red_flags.urgency_of(codes) == urgency


def test_every_warning_sign_code_is_unique_across_groups():
    assert not red_flags.EMERGENCY_SIGNS.keys() & red_flags.URGENT_SIGNS.keys()


@pytest.mark.django_db
def test_request_from_a_contact_seen_in_the_last_30_days_is_flagged():
    make_consultation(phone="+442079460958", email="")
    assert make_consultation(phone="+442079460958", email="other@example.com").possible_duplicate


@pytest.mark.django_db
def test_request_from_a_contact_seen_long_ago_is_not_flagged():
    old = make_consultation(email="returning@example.com")
    ConsultationRequest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert not make_consultation(email="returning@example.com").possible_duplicate


@pytest.mark.django_db
def test_saving_the_same_submission_twice_keeps_one_request():
    first = make_consultation()
    again = ConsultationRequest(
        **{
            field.name: getattr(first, field.name)
            for field in ConsultationRequest._meta.concrete_fields
            if field.name not in {"id", "created_at", "updated_at"}
        }
    )
    stored, created = again.save_once()
    assert (stored.pk, created) == (first.pk, False)
    assert ConsultationRequest.objects.count() == 1


@pytest.mark.django_db
def test_workflow_records_who_and_when(admin_user):
    consultation = make_consultation()
    consultation.move_to(Status.CONTACTED, by=admin_user)
    contacted_at = consultation.contacted_at
    consultation.move_to(Status.SCHEDULED, by=admin_user)
    assert consultation.contacted_at == contacted_at
    consultation.move_to(Status.CLOSED, by=admin_user)
    consultation.refresh_from_db()
    assert consultation.status == Status.CLOSED
    assert consultation.handled_by == admin_user
    assert consultation.closed_at >= contacted_at


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "move"),
    [
        (Status.NEW, Status.SCHEDULED),
        (Status.NEW, Status.CLOSED),
        (Status.CLOSED, Status.CONTACTED),
        (Status.DECLINED, Status.NEW),
    ],
)
def test_workflow_refuses_moves_that_skip_or_reopen(admin_user, start, move):
    consultation = make_consultation(status=start)
    with pytest.raises(ValueError):
        consultation.move_to(move, by=admin_user)


@pytest.mark.django_db
def test_any_open_request_can_be_declined(admin_user):
    for start in [Status.NEW, Status.CONTACTED, Status.SCHEDULED]:
        consultation = make_consultation(status=start)
        consultation.move_to(Status.DECLINED, by=admin_user)
        assert consultation.closed_at is not None


@pytest.mark.django_db
def test_a_requests_name_in_logs_and_admin_messages_carries_no_personal_data():
    from tests.factories import make_consultation

    consultation = make_consultation(full_name="Grace Hopper", email="grace@example.com")
    assert str(consultation) == f"Request #{consultation.pk}"


@pytest.mark.django_db
def test_the_migration_scrubs_names_from_older_admin_log_entries(admin_user):
    import importlib

    from django.apps import apps
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from consultations.models import ConsultationRequest

    migration = importlib.import_module("consultations.migrations.0007_scrub_names_from_admin_log")
    entry = LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(ConsultationRequest),
        object_id="16",
        object_repr="Request #16 from Grace Hopper",
        action_flag=CHANGE,
    )
    migration.scrub_names(apps, schema_editor=None)
    entry.refresh_from_db()
    assert entry.object_repr == "Request #16"
