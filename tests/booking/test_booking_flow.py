import pytest
from django.urls import reverse

from booking.availability import free_slots
from booking.models import Appointment, Hold, OccupiedBlock
from consultations.models import OutboxMessage
from consultations.red_flags import Urgency
from tests.booking.builders import make_appointment_type
from tests.booking.flow import (
    DETAILS,
    answer_warning_signs,
    choose,
    first_free_slot,
    hold,
    walk_to_review,
)

pytestmark = pytest.mark.django_db


def test_the_warning_signs_come_first_with_the_reviewed_emergency_advice(client):
    response = client.get("/book/")
    assert response.status_code == 200
    assert 'name="emergency_signs"' in response.text
    assert "emergency department" in response.text
    assert "no-store" in response["Cache-Control"]


def test_a_patient_books_a_time_from_warning_signs_to_confirmation(client, diary):
    location, clinician, appointment_type = diary
    slot = first_free_slot(appointment_type, clinician)
    response = walk_to_review(client, location, clinician, appointment_type, slot)
    assert response.status_code == 302
    assert response["Location"] == "/book/review/"
    review = client.get("/book/review/")
    assert "Ada Lovelace" in review.text
    assert "no-store" in review["Cache-Control"]
    confirmed = client.post("/book/review/", follow=True)
    assert confirmed.redirect_chain[-1][0] == "/book/confirmed/"
    appointment = Appointment.objects.get()
    assert appointment.starts_at == slot.starts_at
    assert appointment.patient_name == "Ada Lovelace"
    assert appointment.pain_intensity == 5
    assert appointment.consent_text
    assert not Hold.objects.exists()
    assert "Your appointment is booked" in confirmed.text
    assert "/book/manage/" in confirmed.text


def test_the_day_view_labels_times_as_uk_time_and_offers_a_call_instead(client, diary):
    location, clinician, appointment_type = diary
    answer_warning_signs(client)
    choose(client, appointment_type, location, clinician)
    page = client.get("/book/times/")
    assert "UK time" in page.text
    assert "First free: morning 09:00" in page.text or "First free: afternoon" in page.text
    assert "/consultation/?clinician=grace-hopper" in page.text
    assert "Later (the next 7 days)" in page.text


def test_only_online_bookable_types_can_be_chosen(client, diary):
    location, clinician, _ = diary
    phone_only = make_appointment_type(clinicians=[clinician], bookable_online=False)
    answer_warning_signs(client)
    response = choose(client, phone_only, location, clinician)
    assert response.status_code == 200
    assert "Select a valid choice" in response.text


def test_a_confirmation_sent_again_after_its_reply_was_lost_books_once(client, diary):
    location, clinician, appointment_type = diary
    slot = first_free_slot(appointment_type, clinician)
    walk_to_review(client, location, clinician, appointment_type, slot)
    # The session as it was before the reply: a server cut off mid-answer
    # (the database restarting) never saved that the booking was done.
    before = dict(client.session.items())
    assert client.post("/book/review/")["Location"] == "/book/confirmed/"
    session = client.session
    session.update(before)
    session.save()

    again = client.post("/book/review/", follow=True)
    assert again.redirect_chain[-1][0] == "/book/confirmed/"
    assert "Your appointment is booked" in again.text
    assert Appointment.objects.count() == 1
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.BOOKING_CONFIRMATION).count() == 1


def test_each_new_booking_in_a_session_is_its_own(client, diary):
    location, clinician, appointment_type = diary
    slots = free_slots(appointment_type=appointment_type, clinicians=[clinician])
    first, second = slots[0], slots[-1]
    walk_to_review(client, location, clinician, appointment_type, first)
    client.post("/book/review/")
    walk_to_review(client, location, clinician, appointment_type, second)
    client.post("/book/review/")
    assert [a.starts_at for a in Appointment.objects.order_by("starts_at")] == [
        first.starts_at,
        second.starts_at,
    ]


def test_choosing_a_time_holds_it_and_going_back_releases_it(client, diary):
    location, clinician, appointment_type = diary
    slot = first_free_slot(appointment_type, clinician)
    answer_warning_signs(client)
    choose(client, appointment_type, location, clinician)
    assert hold(client, slot)["Location"] == "/book/details/"
    details = client.get("/book/details/")
    assert 'id="hold-countdown"' in details.text
    assert "about 10 minutes" in details.text
    assert Hold.objects.count() == 1
    client.get("/book/times/")
    assert not Hold.objects.exists()
    assert not OccupiedBlock.objects.exists()


def test_warning_signs_still_book_and_flag_the_appointment_for_staff(client, diary):
    location, clinician, appointment_type = diary
    slot = first_free_slot(appointment_type, clinician)
    walk_to_review(client, location, clinician, appointment_type, slot, emergency_signs=["bladder"])
    page = client.get("/book/review/")
    assert "emergency department" in page.text
    client.post("/book/review/")
    appointment = Appointment.objects.get()
    assert appointment.urgency == Urgency.EMERGENCY
    assert appointment.red_flags == ["bladder"]


def test_a_time_taken_at_confirmation_shows_the_nearest_and_keeps_the_details(
    client, diary, django_user_model
):
    location, clinician, appointment_type = diary
    slot = first_free_slot(appointment_type, clinician)
    walk_to_review(client, location, clinician, appointment_type, slot)
    # The hold lapsed and someone else booked the time meanwhile.
    Hold.objects.all().delete()
    other = walk_to_review(client.__class__(), location, clinician, appointment_type, slot)
    assert other.status_code == 302
    response = client.post("/book/review/")
    assert response.status_code == 409
    assert "just been taken" in response.text
    assert 'value="Ada Lovelace"' in response.text
    assert response.text.count('name="slot"') >= 1
    assert Appointment.objects.count() == 0


def test_confirmation_queues_one_email_for_the_patient(client, diary):
    location, clinician, appointment_type = diary
    slot = first_free_slot(appointment_type, clinician)
    walk_to_review(client, location, clinician, appointment_type, slot)
    client.post("/book/review/")
    message = OutboxMessage.objects.get()
    assert message.recipients == [DETAILS["email"]]
    assert message.kind == OutboxMessage.Kind.BOOKING_CONFIRMATION
    assert "Low back pain" not in message.body


def test_book_with_links_on_clinician_pages_lead_to_the_booking(client, diary):
    _, clinician, _ = diary
    page = client.get(clinician.get_absolute_url())
    assert "/book/?clinician=grace-hopper" in page.text


def result_list(response):
    html = response.text
    return html[html.index('id="changelist-form"') :]


def test_staff_see_sort_and_filter_by_the_warning_signs_of_online_bookings(
    admin_client, client, diary
):
    location, clinician, appointment_type = diary
    slot = first_free_slot(appointment_type, clinician)
    walk_to_review(client, location, clinician, appointment_type, slot, urgent_signs=["fever"])
    client.post("/book/review/")
    appointment = Appointment.objects.get()
    changelist = reverse("admin:booking_appointment_changelist")
    by_urgency = admin_client.get(changelist + "?o=-7")  # the warning-signs column
    assert by_urgency.status_code == 200
    assert "Urgent: same-day care advised" in result_list(by_urgency)
    routine_only = admin_client.get(changelist + f"?urgency__exact={Urgency.ROUTINE}")
    assert "Ada Lovelace" not in result_list(routine_only)
    detail = admin_client.get(reverse("admin:booking_appointment_change", args=[appointment.pk]))
    assert "high temperature" in detail.text


HOSTILE_SLOTS = [
    "",
    "1|",
    "|2026-12-01T09:00:00+00:00",
    "abc|def",
    "99999999999999999999|2026-12-01T09:00:00+00:00",
    "1|9999-12-31T23:55:00+00:00",
    "1|0001-01-01T00:00:00+00:00",
    "1|2026-12-01T09:00:00",
    "1|2026-12-01T09:03:00+00:00",
    "-1|2026-12-01T09:00:00+00:00",
    "1\x00|2026-12-01T09:00:00+00:00",
]


@pytest.mark.parametrize("slot", HOSTILE_SLOTS)
def test_a_made_up_time_is_a_clear_error_not_a_crash(client, diary, slot):
    location, clinician, appointment_type = diary
    answer_warning_signs(client)
    choose(client, appointment_type, location, clinician)
    response = client.post("/book/hold/", {"slot": slot})
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert not Hold.objects.exists()


@pytest.mark.parametrize(
    "choice",
    [
        {"appointment_type": "99999999999999999999", "location": "1", "clinician": ""},
        {"appointment_type": "x", "location": "\x00", "clinician": "\x00"},
        {"appointment_type": "1", "location": "1", "clinician": "a" * 5000},
    ],
)
def test_a_made_up_choice_is_a_form_error_not_a_crash(client, choice):
    answer_warning_signs(client)
    response = client.post("/book/choose/", choice)
    assert response.status_code == 200
    assert "Select a valid choice" in response.text or "Please choose" in response.text


def test_steps_out_of_order_lead_back_to_where_the_patient_is(client, diary):
    assert client.get("/book/choose/")["Location"] == "/book/"
    assert client.get("/book/details/")["Location"] == "/book/times/"
    assert client.post("/book/review/")["Location"] == "/book/times/"
    assert client.get("/book/confirmed/")["Location"] == "/book/"
    assert not Appointment.objects.exists()
