"""An emergency request nobody has opened in the admin within
EMERGENCY_ESCALATION_MINUTES sends staff a second alert."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from consultations.models import ConsultationRequest, OutboxMessage
from consultations.notifications import escalate_unopened_emergencies
from tests.factories import make_consultation
from tests.staff import sign_in_with_second_factor

pytestmark = pytest.mark.django_db


def minutes_after(consultation, minutes):
    return consultation.created_at + datetime.timedelta(minutes=minutes)


@pytest.fixture
def emergency(staff_recipients):
    return make_consultation(red_flags=["saddle_numbness"])


def escalations():
    return OutboxMessage.objects.filter(kind="emergency_escalation")


def test_an_unopened_emergency_is_escalated_after_15_minutes(emergency, staff_recipients):
    assert escalate_unopened_emergencies(now=minutes_after(emergency, 14)) == []
    [alert] = escalate_unopened_emergencies(now=minutes_after(emergency, 16))
    assert alert.consultation == emergency
    assert alert.recipients == staff_recipients
    assert alert.subject.startswith(
        f"EMERGENCY not yet opened: consultation request #{emergency.pk}"
    )
    assert f"/admin/consultations/consultationrequest/{emergency.pk}/change/" in alert.body
    assert emergency.full_name not in alert.body


def test_an_emergency_is_escalated_once(emergency):
    escalate_unopened_emergencies(now=minutes_after(emergency, 16))
    assert escalate_unopened_emergencies(now=minutes_after(emergency, 60)) == []
    assert escalations().count() == 1


def test_the_escalation_delay_is_a_setting(emergency, settings):
    settings.EMERGENCY_ESCALATION_MINUTES = 5
    assert len(escalate_unopened_emergencies(now=minutes_after(emergency, 6))) == 1


def test_an_emergency_opened_by_staff_is_not_escalated(client, emergency):
    user = User.objects.create_user("desk", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Front desk"))
    sign_in_with_second_factor(client, user)
    response = client.get(
        reverse("admin:consultations_consultationrequest_change", args=[emergency.pk])
    )
    assert response.status_code == 200
    emergency.refresh_from_db()
    assert emergency.first_opened_by == user
    assert escalate_unopened_emergencies(now=minutes_after(emergency, 30)) == []


def test_an_emergency_already_handled_from_the_list_is_not_escalated(emergency):
    ConsultationRequest.objects.filter(pk=emergency.pk).update(status="contacted")
    assert escalate_unopened_emergencies(now=minutes_after(emergency, 30)) == []


def test_urgent_and_routine_requests_are_not_escalated(staff_recipients):
    urgent = make_consultation(red_flags=["fever"])
    make_consultation()
    assert escalate_unopened_emergencies(now=minutes_after(urgent, 60)) == []


def test_escalation_is_part_of_the_workers_minute_sweep(emergency, settings):
    from consultations.tasks import sweep_outbox_and_escalate

    settings.EMERGENCY_ESCALATION_MINUTES = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sweep_outbox_and_escalate.call_local()
    assert escalations().count() == 1
