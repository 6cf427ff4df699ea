"""Once a week the worker emails content editors what needs a clinical
review: never reviewed, overdue, due this week, or changed since review."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core import mail

from stretches.models import Guide, Stretch
from stretches.reviews import send_review_reminders
from stretches.tasks import email_clinical_review_reminders
from tests.factories import make_stretch
from tests.staff import staff_in

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def editors():
    edith = staff_in("Content editors", username="edith")
    edith.email = "edith@clinic.example"
    edith.save()
    ed = staff_in("Content editors", username="ed")  # no email address
    gone = staff_in("Content editors", username="gone")
    gone.email, gone.is_active = "gone@clinic.example", False
    gone.save()
    desk = staff_in("Front desk", username="desk")
    desk.email = "desk@clinic.example"
    desk.save()
    return edith, ed


def reviewed(content, on, every_months=12):
    type(content).objects.filter(pk=content.pk).update(
        last_reviewed_on=on,
        reviewed_by="Dr A. Jones",
        review_every_months=every_months,
        awaiting_clinical_review=False,
    )


@pytest.fixture
def nothing_due():
    for model in (Guide, Stretch):
        for content in model.objects.all():
            reviewed(content, TODAY - datetime.timedelta(days=10))


def test_the_reminder_runs_once_a_week():
    weekly_task = email_clinical_review_reminders.task_class()
    start = datetime.datetime(2026, 11, 30, 0, 0)
    minutes = (start + datetime.timedelta(minutes=n) for n in range(7 * 24 * 60))
    runs = [moment for moment in minutes if weekly_task.validate_datetime(moment)]
    assert len(runs) == 1
    assert runs[0].weekday() == 0  # Monday morning


def test_only_active_content_editors_with_an_email_address_are_written_to(editors):
    assert send_review_reminders(today=TODAY) == 1
    assert mail.outbox[0].to == ["edith@clinic.example"]


def test_the_email_lists_what_is_never_reviewed_overdue_due_or_changed(editors, nothing_due):
    never = make_stretch(title="Never reviewed stretch")
    Stretch.objects.filter(pk=never.pk).update(awaiting_clinical_review=False)
    overdue = make_stretch(title="Overdue stretch")
    reviewed(overdue, datetime.date(2025, 10, 1))
    due_soon = make_stretch(title="Due on Thursday stretch")
    reviewed(due_soon, datetime.date(2026, 6, 3), every_months=6)
    changed = make_stretch(title="Changed stretch")
    reviewed(changed, TODAY)
    Stretch.objects.filter(pk=changed.pk).update(awaiting_clinical_review=True)
    current = make_stretch(title="Current stretch")
    reviewed(current, TODAY)

    send_review_reminders(today=TODAY)

    body = mail.outbox[0].body
    assert "Stretch: Never reviewed stretch (never reviewed)" in body
    assert "Stretch: Overdue stretch (overdue since 1 October 2026)" in body
    assert "Stretch: Due on Thursday stretch (due on 3 December 2026)" in body
    assert "Stretch: Changed stretch (clinical wording changed: awaiting review)" in body
    assert "Current stretch" not in body
    assert f"/admin/stretches/stretch/{overdue.pk}/change/" in body
    assert mail.outbox[0].subject == "Clinical review: 4 item(s) due"


def test_no_email_when_nothing_needs_review(editors, nothing_due):
    assert send_review_reminders(today=TODAY) == 0
    assert mail.outbox == []


def test_the_worker_task_sends_the_reminder(editors):
    email_clinical_review_reminders.call_local()
    assert [message.to for message in mail.outbox] == [["edith@clinic.example"]]
    assert "need a clinical review" in mail.outbox[0].body


def test_no_patient_data_goes_into_the_reminder(editors):
    from tests.factories import make_consultation

    make_consultation(full_name="Grace Hopper", email="grace@example.com")
    send_review_reminders(today=TODAY)
    assert "Grace" not in mail.outbox[0].body and "grace@" not in mail.outbox[0].body
    assert User.objects.filter(username="edith").exists()
