import datetime
import re

import pytest
import time_machine
from django.core import signing

from booking.availability import free_slots
from booking.manage_links import appointment_for, manage_path
from booking.models import Appointment, OccupiedBlock
from booking.services import book_appointment
from clinic.models import SiteSettings
from tests.booking.builders import add_hours, make_appointment_type, make_clinician, make_location
from tests.booking.flow import EVERY_DAY, walk_to_review
from tests.booking.mail import calendar_of, sent_emails

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(client):
    location = make_location()
    clinician = make_clinician()
    add_hours(clinician, location, EVERY_DAY, ("09:00", "17:00"))
    appointment_type = make_appointment_type(clinicians=[clinician], bookable_online=True)
    # Two days ahead, so the 24-hour cut-off has not passed.
    slots = first_free_slots(appointment_type, clinician)
    slot = next(s for s in slots if s.starts_at > slots[0].starts_at + datetime.timedelta(days=2))
    walk_to_review(client, location, clinician, appointment_type, slot)
    client.post("/book/review/")
    return Appointment.objects.get()


def first_free_slots(appointment_type, clinician):
    return free_slots(appointment_type=appointment_type, clinicians=[clinician])


def another_free_slot(appointment):
    slots = first_free_slots(appointment.appointment_type, appointment.clinician)
    return next(s for s in slots if s.starts_at > appointment.ends_at)


def slot_field(slot):
    return {"slot": f"{slot.clinician_id}|{slot.starts_at.isoformat()}"}


def test_the_confirmation_page_links_to_the_manage_page(client, appointment):
    page = client.get("/book/confirmed/")
    # The link is signed when the page is made: read it off the page (made
    # here a second later, it could carry another time).
    link = re.search(r'href="(/book/manage/[^"]+/)"', page.text).group(1)
    assert appointment_for(link.split("/")[-2]) == appointment
    manage = client.get(link)
    assert manage.status_code == 200
    assert "Cancel this appointment" in manage.text
    assert "no-store" in manage["Cache-Control"]


def test_the_patient_cancels_and_gets_a_calendar_cancellation(client, appointment, smtp):
    response = client.post(manage_path(appointment), {"action": "cancel"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED_BY_PATIENT
    assert appointment.status_changes.last().changed_by_label == "patient"
    assert not OccupiedBlock.objects.exists()
    confirmation, cancellation = sent_emails(smtp)
    _, first = calendar_of(confirmation)
    calendar, event = calendar_of(cancellation)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["UID"] == first["UID"]
    assert event["SEQUENCE"] > first["SEQUENCE"]
    assert "This appointment is cancelled" in client.get(manage_path(appointment)).text


def test_the_patient_moves_to_another_free_time_and_the_calendar_updates(client, appointment, smtp):
    new_slot = another_free_slot(appointment)
    response = client.post(manage_path(appointment), slot_field(new_slot))
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == new_slot.starts_at
    assert appointment.sequence == 1
    confirmation, change = sent_emails(smtp)
    assert "moved" in change["Subject"]
    _, first = calendar_of(confirmation)
    _, moved = calendar_of(change)
    assert moved["UID"] == first["UID"]
    assert (first["SEQUENCE"], moved["SEQUENCE"]) == (0, 1)
    assert moved.decoded("DTSTART") == new_slot.starts_at


def test_a_move_to_a_time_just_taken_keeps_the_old_time_and_offers_the_nearest(client, appointment):
    new_slot = another_free_slot(appointment)
    book_appointment(
        clinician=appointment.clinician,
        location=appointment.location,
        appointment_type=appointment.appointment_type,
        starts_at=new_slot.starts_at,
        patient_name="Someone Else",
    )
    old_start = appointment.starts_at
    response = client.post(manage_path(appointment), slot_field(new_slot))
    assert response.status_code == 409
    assert "just been taken" in response.text
    assert 'name="slot"' in response.text
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.sequence) == (old_start, 0)


def test_after_the_cut_off_the_page_gives_the_clinics_phone_number(client, appointment):
    with time_machine.travel(appointment.starts_at - datetime.timedelta(hours=23), tick=False):
        page = client.get(manage_path(appointment))
        assert SiteSettings.current().phone in page.text
        assert "can no longer be changed online" in page.text
        client.post(manage_path(appointment), {"action": "cancel"})
    appointment.refresh_from_db()
    assert appointment.status != Appointment.Status.CANCELLED_BY_PATIENT


def test_the_cut_off_is_a_setting(client, appointment, settings):
    settings.BOOKING_CHANGE_CUTOFF_HOURS = 24 * 30
    assert "can no longer be changed online" in client.get(manage_path(appointment)).text


def test_a_tampered_or_forged_link_changes_nothing(client, appointment):
    token = manage_path(appointment).split("/")[3]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    forged = signing.TimestampSigner(salt="guess").sign_object({"appointment": appointment.pk})
    for bad in (tampered, forged, "not-a-token"):
        response = client.post(f"/book/manage/{bad}/", {"action": "cancel"})
        assert response.status_code == 404
        assert "This link cannot be used" in response.text
    appointment.refresh_from_db()
    assert appointment.holds_time


def test_a_link_to_an_appointment_that_is_over_no_longer_works(client, appointment):
    path = manage_path(appointment)
    with time_machine.travel(appointment.ends_at + datetime.timedelta(minutes=1), tick=False):
        assert client.get(path).status_code == 404


def test_a_move_to_another_clinicians_time_is_refused(client, appointment):
    slot = another_free_slot(appointment)
    response = client.post(
        manage_path(appointment),
        {"slot": f"{appointment.clinician_id + 1000}|{slot.starts_at.isoformat()}"},
    )
    assert response.status_code == 400
    appointment.refresh_from_db()
    assert appointment.sequence == 0
