"""Staff see what was sent about each request, and what failed, in the
admin; the outbox shows no patient data but the patient's own address."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from consultations.models import OutboxMessage
from consultations.notifications import queue_new_request_notifications
from consultations.outbox import deliver_due_messages
from tests.factories import make_consultation
from tests.staff import sign_in_with_second_factor

pytestmark = pytest.mark.django_db

OUTBOX = reverse("admin:consultations_outboxmessage_changelist")


def staff_client(client, group):
    user = User.objects.create_user(group.replace(" ", "-"), password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    sign_in_with_second_factor(client, user)
    return client


@pytest.fixture
def failed_once(staff_recipients, refusing_smtp):
    consultation = make_consultation(
        full_name="Ada Lovelace",
        email="ada@example.com",
        phone="+442079460958",
        description="Numb after sitting at my desk.",
    )
    queue_new_request_notifications(consultation=consultation)
    deliver_due_messages()
    return consultation


def test_the_outbox_shows_status_tries_last_error_and_next_try(client, failed_once):
    html = staff_client(client, "Front desk").get(OUTBOX).content.decode()
    assert "Waiting to be sent" in html
    assert "SMTPDataError: 451" in html
    assert f"#{failed_once.pk}</a>" in html
    assert "Next try" in html
    assert '<td class="field-next_attempt_at nowrap">-</td>' not in html
    for private in ["Lovelace", "+442079460958", "Numb after sitting"]:
        assert private not in html


def test_a_message_page_is_read_only(client, failed_once):
    message = failed_once.outbox_messages.first()
    front_desk = staff_client(client, "Front desk")
    url = reverse("admin:consultations_outboxmessage_change", args=[message.pk])
    assert "<textarea" not in front_desk.get(url).content.decode()
    front_desk.post(url, {"subject": "changed", "status": "sent"})
    message.refresh_from_db()
    assert message.status == "pending"
    assert message.subject != "changed"


def test_content_editors_cannot_see_the_outbox(client, failed_once):
    assert staff_client(client, "Content editors").get(OUTBOX).status_code == 403


def test_opening_a_request_records_the_first_staff_member_only(client, failed_once):
    first = User.objects.create_user("first", password="pw", is_staff=True)
    second = User.objects.create_user("second", password="pw", is_staff=True)
    for user in (first, second):
        user.groups.add(Group.objects.get(name="Front desk"))
        sign_in_with_second_factor(client, user)
        client.get(reverse("admin:consultations_consultationrequest_change", args=[failed_once.pk]))
    failed_once.refresh_from_db()
    assert failed_once.first_opened_by == first
    assert failed_once.first_opened_at is not None


def test_erasing_a_patient_deletes_their_outbox_messages_and_counts_requests(
    admin_client, failed_once
):
    response = admin_client.post(
        reverse("admin:consultations_consultationrequest_changelist"),
        {
            "action": "erase_patient_data",
            "_selected_action": [failed_once.pk],
            "confirm": "yes",
            "include": [failed_once.pk],
        },
        follow=True,
    )
    assert "Erased 1 request(s)" in response.content.decode()
    assert not OutboxMessage.objects.exists()
