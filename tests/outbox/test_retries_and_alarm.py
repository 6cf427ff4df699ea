"""The worker tries each message again, waiting longer each time; an
emergency alert that still fails raises an alarm staff cannot miss."""

import datetime
import logging

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from consultations.models import OutboxMessage
from consultations.notifications import queue_new_request_notifications
from consultations.outbox import deliver_due_messages, retry_now
from consultations.red_flags import Urgency
from tests.factories import make_consultation
from tests.staff import sign_in_with_second_factor

pytestmark = pytest.mark.django_db

ADMIN_HOME = reverse("admin:index")


@pytest.fixture
def retry_settings(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600


def staff_message_about(consultation):
    queue_new_request_notifications(consultation=consultation)
    return consultation.outbox_messages.get(kind="staff_notification")


def run_worker_until_it_gives_up(message, *, start):
    """Each try at the moment the last one said, as the worker would."""
    moment = start
    while message.status == "pending":
        deliver_due_messages(now=moment)
        message.refresh_from_db()
        moment = message.next_attempt_at or moment
    return message


def staff_client(client, group):
    user = User.objects.create_user(group.replace(" ", "-"), password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    sign_in_with_second_factor(client, user)
    return client


def test_a_refused_message_is_tried_again_waiting_twice_as_long_each_time(
    staff_recipients, refusing_smtp, retry_settings
):
    message = staff_message_about(make_consultation(email=""))
    start = timezone.now()
    deliver_due_messages(now=start)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.next_attempt_at == start + datetime.timedelta(seconds=60)
    assert message.last_error.startswith("SMTPDataError: 451")
    # Not due yet: nothing is tried.
    assert deliver_due_messages(now=start + datetime.timedelta(seconds=59)) == []
    deliver_due_messages(now=message.next_attempt_at)
    second_try = message.next_attempt_at
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at == second_try + datetime.timedelta(seconds=120)
    assert sum(refusing_smtp.tries.values()) == 2


def test_a_message_is_sent_once_the_server_accepts_it(
    staff_recipients, accepting_smtp, retry_settings
):
    message = staff_message_about(make_consultation(email=""))
    deliver_due_messages()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert message.sent_at is not None
    assert [mail["to"] for mail in accepting_smtp.delivered] == [tuple(staff_recipients)]
    # A sent message is never sent again.
    assert deliver_due_messages(now=timezone.now() + datetime.timedelta(days=1)) == []


def test_an_emergency_alert_that_keeps_failing_raises_an_alarm_in_the_log(
    staff_recipients, refusing_smtp, retry_settings, caplog
):
    emergency = make_consultation(full_name="Ada Lovelace", email="", red_flags=["saddle_numbness"])
    assert emergency.urgency == Urgency.EMERGENCY
    with caplog.at_level(logging.WARNING, logger="consultations"):
        message = run_worker_until_it_gives_up(staff_message_about(emergency), start=timezone.now())
    assert (message.status, message.attempts) == ("failed", 3)
    assert message.alarm_raised_at is not None
    alarms = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(alarms) == 1
    assert f"emergency consultation request #{emergency.pk}" in alarms[0]
    assert "Lovelace" not in caplog.text


def test_a_routine_message_that_keeps_failing_raises_no_alarm(
    staff_recipients, refusing_smtp, retry_settings
):
    message = run_worker_until_it_gives_up(
        staff_message_about(make_consultation(email="")), start=timezone.now()
    )
    assert message.status == "failed"
    assert message.alarm_raised_at is None
    assert not OutboxMessage.objects.alarms().exists()


@pytest.fixture
def raised_alarm(staff_recipients, refusing_smtp, retry_settings):
    emergency = make_consultation(email="", red_flags=["bladder"])
    return run_worker_until_it_gives_up(staff_message_about(emergency), start=timezone.now())


def test_the_alarm_is_on_every_admin_page_for_the_front_desk(client, raised_alarm):
    front_desk = staff_client(client, "Front desk")
    pages = [
        ADMIN_HOME,
        reverse("admin:password_change"),
        reverse("admin:consultations_consultationrequest_changelist"),
    ]
    for page in pages:
        html = front_desk.get(page).content.decode()
        assert "Emergency alert not delivered" in html
        assert f"#{raised_alarm.consultation_id}</a> failed after 3 tries" in html


def test_content_editors_never_see_the_alarm(client, raised_alarm):
    editor = staff_client(client, "Content editors")
    assert "Emergency alert not delivered" not in editor.get(ADMIN_HOME).content.decode()


def test_dismissing_the_alarm_takes_the_banner_down(client, raised_alarm):
    front_desk = staff_client(client, "Front desk")
    front_desk.post(
        reverse("admin:consultations_outboxmessage_changelist"),
        {"action": "dismiss_alarms", "_selected_action": [raised_alarm.pk]},
    )
    raised_alarm.refresh_from_db()
    assert raised_alarm.alarm_dismissed_at is not None
    assert "Emergency alert not delivered" not in front_desk.get(ADMIN_HOME).content.decode()


def test_retry_now_keeps_the_alarm_until_the_message_is_delivered(client, raised_alarm, settings):
    front_desk = staff_client(client, "Front desk")
    front_desk.post(
        reverse("admin:consultations_outboxmessage_changelist"),
        {"action": "retry_selected_now", "_selected_action": [raised_alarm.pk]},
    )
    raised_alarm.refresh_from_db()
    assert (raised_alarm.status, raised_alarm.attempts) == ("pending", 0)
    assert "Emergency alert not delivered" in front_desk.get(ADMIN_HOME).content.decode()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deliver_due_messages()
    raised_alarm.refresh_from_db()
    assert raised_alarm.status == "sent"
    assert "Emergency alert not delivered" not in front_desk.get(ADMIN_HOME).content.decode()


def test_retry_now_leaves_sent_messages_alone(staff_recipients, accepting_smtp):
    message = staff_message_about(make_consultation(email=""))
    deliver_due_messages()
    assert retry_now(OutboxMessage.objects.all()) == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)


def test_after_a_failed_try_the_worker_queues_the_next_one_for_when_it_is_due(
    staff_recipients, refusing_smtp, retry_settings
):
    from huey.contrib.djhuey import HUEY

    from consultations.tasks import deliver_outbox_message

    HUEY.flush()
    message = staff_message_about(make_consultation(email=""))
    deliver_outbox_message.call_local(message.pk)
    message.refresh_from_db()
    [retry] = HUEY.pending()
    assert retry.args == (message.pk,)
    assert abs(
        retry.eta.replace(tzinfo=datetime.UTC) - message.next_attempt_at
    ) < datetime.timedelta(seconds=2)
