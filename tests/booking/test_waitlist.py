"""The waitlist: a patient whose days are full asks to hear about an earlier
time; when one frees up the worker emails the matching patients a signed
link; the first to claim it holds it (through hold_slot) and books; the
others see it has gone and stay on the list."""

import datetime
import re

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from booking.availability import clinic_zone, free_slots
from booking.models import Appointment, FreedTime, Hold, WaitlistEntry, WaitlistOffer
from booking.patient_booking import book_online, cancel_by_patient, move_by_patient
from booking.services import SlotTaken, book_appointment, hold_slot, move_appointment
from booking.waitlist import claim_path, leave_path, offer_freed_times, purge_past_entries
from consultations.models import OutboxMessage
from tests.booking.builders import add_hours, make_appointment_type, make_clinician, make_location
from tests.booking.flow import DETAILS, EVERY_DAY, answer_warning_signs, choose, first_free_slot
from tests.booking.mail import body_of, sent_emails

pytestmark = pytest.mark.django_db


@pytest.fixture
def diary():
    location = make_location(name="Islington clinic")
    clinician = make_clinician(name="Dr Rosa Mendes")
    add_hours(clinician, location, EVERY_DAY, ("09:00", "17:00"))
    appointment_type = make_appointment_type(
        clinicians=[clinician], name="Initial consultation", bookable_online=True
    )
    return location, clinician, appointment_type


def today():
    return timezone.localdate(timezone.now(), clinic_zone())


def in_days(days):
    return (today() + datetime.timedelta(days=days)).isoformat()


def waitlist_form(**overrides):
    return {
        "full_name": "Grace Hopper",
        "email": "grace@example.com",
        "phone": "020 7946 0111",
        "before": in_days(14),
        "consent": "on",
    } | overrides


def join(client, diary, clinician=None, **overrides):
    location, _, appointment_type = diary
    answer_warning_signs(client)
    choose(client, appointment_type, location, clinician)
    return client.post("/book/waitlist/", waitlist_form(**overrides))


def booked_in_three_days(diary, email="ada@example.com"):
    location, clinician, appointment_type = diary
    slots = free_slots(appointment_type=appointment_type, clinicians=[clinician], days=14)
    slot = next(s for s in slots if s.starts_at > timezone.now() + datetime.timedelta(days=3))
    return book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=slot.starts_at,
        patient_name="Ada Lovelace",
        patient_email=email,
    )


def offers_emailed():
    return list(OutboxMessage.objects.filter(kind=OutboxMessage.Kind.WAITLIST_OFFER))


# Joining


def test_the_day_view_offers_to_tell_the_patient_about_an_earlier_time(client, diary):
    location, _, appointment_type = diary
    answer_warning_signs(client)
    choose(client, appointment_type, location)
    page = client.get("/book/times/")
    assert 'href="/book/waitlist/"' in page.text
    assert "Tell me if an earlier time comes up" in page.text


def test_a_patient_joins_the_waitlist_for_their_choice(client, diary):
    location, clinician, appointment_type = diary
    response = join(client, diary, clinician, before=in_days(10))
    assert response.status_code == 302
    assert "You are on the waitlist" in client.get(response["Location"]).text
    entry = WaitlistEntry.objects.get()
    assert (entry.appointment_type, entry.location, entry.clinician) == (
        appointment_type,
        location,
        clinician,
    )
    assert entry.before.isoformat() == in_days(10)
    assert entry.email == "grace@example.com"
    assert entry.status == WaitlistEntry.Status.WAITING
    assert "Email me when an earlier time comes free" in entry.consent_text


def test_warning_signs_ticked_before_joining_are_kept_for_the_booking(client, diary):
    location, _, appointment_type = diary
    answer_warning_signs(client, discuss_soon_signs=["onset_age"])
    choose(client, appointment_type, location)
    client.post("/book/waitlist/", waitlist_form())
    entry = WaitlistEntry.objects.get()
    assert entry.red_flags == ["onset_age"]
    assert entry.urgency > 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"before": "yesterday"}, "Please give a date like 24/12/2026."),
        ({"before": in_days(0)}, "Please give a date after tomorrow."),
        ({"before": in_days(70)}, "Please give a date within the next 8 weeks"),
        ({"consent": ""}, "Please agree to be emailed, or we cannot tell you."),
        ({"email": "not an address"}, "Please give an email address like name@example.com."),
        ({"full_name": ""}, "Please give your name."),
        ({"phone": "call me"}, "Please give a phone number like 020 7946 0958."),
    ],
)
def test_bad_answers_get_a_clear_message_nothing_is_stored_and_the_rest_is_kept(
    client, diary, overrides, message
):
    response = join(client, diary, **overrides)
    assert response.status_code == 400
    assert message in response.text
    assert not WaitlistEntry.objects.exists()
    kept = {k: v for k, v in waitlist_form().items() if k not in overrides and k != "consent"}
    for value in kept.values():
        assert f'value="{value}"' in response.text


def test_the_waitlist_form_needs_a_choice_first(client):
    response = client.get("/book/waitlist/")
    assert response.status_code == 302
    assert response["Location"] == "/book/choose/"


# Offering freed times


def test_a_cancelled_time_is_offered_by_email_to_the_matching_waiting_patients(client, diary, smtp):
    appointment = booked_in_three_days(diary)
    join(client, diary, before=in_days(10))
    cancel_by_patient(appointment=appointment)
    assert offers_emailed() == []  # the worker offers it, not the cancellation
    [offer] = offer_freed_times()
    assert offer.starts_at == appointment.starts_at
    emails = [e for e in sent_emails(smtp) if e["To"] == "grace@example.com"]
    assert len(emails) == 1
    body = body_of(emails[0])
    assert "An earlier time has come free" in body
    assert "Initial consultation with Dr Rosa Mendes" in body
    assert "/book/waitlist/claim/" in body
    assert "/book/waitlist/leave/" in body
    assert offer_freed_times() == []  # offered once


def test_a_time_freed_by_a_move_is_offered(client, diary):
    appointment = booked_in_three_days(diary)
    join(client, diary, before=in_days(10))
    old_start = appointment.starts_at
    later = old_start + datetime.timedelta(days=1)
    move_by_patient(appointment=appointment, starts_at=later)
    [offer] = offer_freed_times()
    assert offer.starts_at == old_start


def test_a_time_the_clinic_cancels_is_offered(client, diary, admin_user):
    appointment = booked_in_three_days(diary)
    join(client, diary, before=in_days(10))
    move_appointment(
        appointment=appointment, to_status=Appointment.Status.CANCELLED_BY_CLINIC, by=admin_user
    )
    assert len(offer_freed_times()) == 1


def test_an_expired_hold_is_not_a_freed_time(client, diary):
    location, clinician, appointment_type = diary
    join(client, diary, before=in_days(10))
    slot = first_free_slot(appointment_type, clinician)
    hold_slot(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=slot.starts_at,
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        Hold.objects.all().delete()  # as the next booking's clean-up does
        assert not FreedTime.objects.exists()
        assert offer_freed_times() == []


def test_patients_waiting_for_something_else_are_not_told(client, diary):
    location, clinician, appointment_type = diary
    appointment = booked_in_three_days(diary)
    elsewhere = make_location(name="Leeds clinic")
    add_hours(clinician, elsewhere, EVERY_DAY, ("18:00", "19:00"))
    other_clinician = make_clinician()
    add_hours(other_clinician, location, EVERY_DAY, ("09:00", "17:00"))
    appointment_type.clinicians.add(other_clinician)
    # A type this clinician does not offer (one they do could fill the time).
    other_type = make_appointment_type(clinicians=[other_clinician], bookable_online=True)
    freed_day = timezone.localdate(appointment.starts_at, clinic_zone())
    # Only the first of these wants this time.
    wanted = WaitlistEntry.objects.create(
        full_name="Wants it",
        email="wants@example.com",
        appointment_type=appointment_type,
        location=location,
        before=freed_day + datetime.timedelta(days=1),
        consent_text="yes",
    )
    for fields in (
        {"location": elsewhere},
        {"appointment_type": other_type},
        {"clinician": other_clinician},
        {"before": freed_day},  # it is not before the day they gave
        {"status": WaitlistEntry.Status.BOOKED},
    ):
        WaitlistEntry.objects.create(
            **{
                "full_name": "Not this one",
                "email": "other@example.com",
                "appointment_type": appointment_type,
                "location": location,
                "before": freed_day + datetime.timedelta(days=1),
                "consent_text": "yes",
            }
            | fields
        )
    cancel_by_patient(appointment=appointment)
    assert [offer.entry for offer in offer_freed_times()] == [wanted]


def test_a_freed_time_taken_again_before_the_worker_runs_is_not_offered(client, diary):
    location, clinician, appointment_type = diary
    appointment = booked_in_three_days(diary)
    join(client, diary, before=in_days(10))
    cancel_by_patient(appointment=appointment)
    book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=appointment.starts_at,
        patient_name="Quick Caller",
        booked_by=None,
    )
    assert offer_freed_times() == []
    assert offers_emailed() == []


# Claiming


@pytest.fixture
def offered(client, diary):
    """A cancelled time offered to two waiting patients."""
    appointment = booked_in_three_days(diary)
    join(client, diary, before=in_days(10), full_name="Grace Hopper", email="grace@example.com")
    client.cookies.clear()
    join(client, diary, before=in_days(10), full_name="Alan Turing", email="alan@example.com")
    client.cookies.clear()
    cancel_by_patient(appointment=appointment)
    offers = offer_freed_times()
    assert len(offers) == 2
    return appointment, {offer.entry.email: offer for offer in offers}


def test_the_claim_page_shows_the_time_offered(client, offered):
    appointment, offers = offered
    page = client.get(claim_path(offers["grace@example.com"]))
    assert page.status_code == 200
    local = appointment.starts_at.astimezone(clinic_zone())
    assert f"{local:%H:%M}" in page.text
    assert "Claim this time" in page.text
    assert "no-store" in page["Cache-Control"]
    assert not Hold.objects.exists()  # looking is not claiming


def test_the_first_to_claim_holds_the_time_and_books_it_through_the_usual_steps(client, offered):
    appointment, offers = offered
    response = client.post(claim_path(offers["grace@example.com"]))
    assert response.status_code == 302
    assert response["Location"] == "/book/details/"
    assert Hold.objects.get().starts_at == appointment.starts_at
    details = client.get("/book/details/")
    assert 'value="Grace Hopper"' in details.text  # what they gave the waitlist
    client.post("/book/details/", DETAILS | {"full_name": "Grace Hopper"})
    assert client.post("/book/review/").status_code == 302
    booked = Appointment.objects.exclude(pk=appointment.pk).get()
    assert booked.starts_at == appointment.starts_at
    entry = WaitlistEntry.objects.get(email="grace@example.com")
    assert entry.status == WaitlistEntry.Status.BOOKED
    assert entry.appointment == booked
    # Their other offers are closed: a booked patient is off the list.
    assert client.get(claim_path(offers["grace@example.com"])).status_code == 404


def test_a_waitlist_booking_that_fails_leaves_the_patient_on_the_list(diary, offered):
    # The entry is marked booked in the booking's own transaction: both, or neither.
    appointment, offers = offered
    location, clinician, appointment_type = diary
    entry = offers["grace@example.com"].entry
    booked_in_three_days(diary, email="someone.else@example.com")  # the time is taken
    with pytest.raises(SlotTaken):
        book_online(
            clinician=clinician,
            location=location,
            appointment_type=appointment_type,
            starts_at=appointment.starts_at,
            answers={
                "patient_name": "Grace Hopper",
                "patient_email": "grace@example.com",
                "patient_phone": "",
            },
            hold_token=None,
            waitlist_entry=entry.pk,
        )
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING
    assert entry.appointment is None


def test_the_second_to_claim_sees_the_time_has_gone_and_stays_on_the_list(client, offered):
    _, offers = offered
    client.post(claim_path(offers["grace@example.com"]))
    client.cookies.clear()
    response = client.post(claim_path(offers["alan@example.com"]))
    assert response.status_code == 409
    assert "Sorry, this time has gone" in response.text
    assert "You are still on the waitlist" in response.text
    assert "The nearest free times" in response.text
    assert response.text.count('name="slot"') >= 1
    assert Hold.objects.count() == 1
    assert WaitlistEntry.objects.get(email="alan@example.com").status == "waiting"
    # The nearest times can be held straight away.
    slot = re.search(r'name="slot" value="([^"]+)"', response.text).group(1)
    assert client.post("/book/hold/", {"slot": slot})["Location"] == "/book/details/"


def test_a_tampered_claim_link_is_refused_clearly_and_nothing_is_held(client, offered):
    _, offers = offered
    path = claim_path(offers["grace@example.com"])
    tampered = path.replace("/claim/", "/claim/x")
    for response in (client.get(tampered), client.post(tampered)):
        assert response.status_code == 404
        assert "This link is not valid" in response.text
    forged = signing.TimestampSigner(salt="another-salt").sign_object({"offer": 1})
    assert client.post(f"/book/waitlist/claim/{forged}/").status_code == 404
    assert not Hold.objects.exists()


def test_a_claim_link_is_refused_once_the_time_has_passed(client, offered):
    appointment, offers = offered
    path = claim_path(offers["grace@example.com"])
    with time_machine.travel(appointment.starts_at + datetime.timedelta(minutes=1)):
        response = client.post(path)
    assert response.status_code == 404
    assert "the time it offered has passed" in response.text
    assert not Hold.objects.exists()


def test_an_old_claim_link_expires(client, offered):
    _, offers = offered
    path = claim_path(offers["grace@example.com"])
    with time_machine.travel(timezone.now() + datetime.timedelta(weeks=9)):
        response = client.get(path)
    assert response.status_code == 404
    assert "This link has expired." in response.text


# Leaving


def test_a_patient_leaves_the_list_from_the_email_and_their_details_are_deleted(
    client, offered, smtp
):
    _, offers = offered
    [email] = [e for e in sent_emails(smtp) if e["To"] == "alan@example.com"]
    path = re.search(r"(/book/waitlist/leave/[^\s]+/)", body_of(email)).group(1)
    assert "Leave the waitlist" in client.get(path).text
    assert WaitlistEntry.objects.filter(email="alan@example.com").exists()  # a GET changes nothing
    response = client.post(path)
    assert "You have left the waitlist" in response.text
    assert not WaitlistEntry.objects.filter(email="alan@example.com").exists()
    assert not WaitlistOffer.objects.filter(entry__email="alan@example.com").exists()
    assert client.post(path).status_code == 404
    assert client.post(claim_path(offers["alan@example.com"])).status_code == 404


def test_a_tampered_leave_link_deletes_nothing(client, offered):
    _, offers = offered
    path = leave_path(offers["alan@example.com"].entry)
    response = client.post(path[:-3] + "xx/")
    assert response.status_code == 404
    assert "This link is not valid" in response.text
    assert WaitlistEntry.objects.count() == 2


# Retention


def test_entries_are_deleted_a_week_after_their_before_date(diary):
    location, _, appointment_type = diary

    def entry(before):
        return WaitlistEntry.objects.create(
            full_name="Someone",
            email="someone@example.com",
            appointment_type=appointment_type,
            location=location,
            before=before,
            consent_text="yes",
        )

    kept = entry(today() - datetime.timedelta(days=7))
    entry(today() - datetime.timedelta(days=8))
    assert purge_past_entries() == 1
    assert list(WaitlistEntry.objects.all()) == [kept]
