"""A time that cannot be booked gets a clear message of its own: a past
time, too little notice, beyond the horizon, on a closure, or with an
inactive clinician, posted straight to the hold, the confirmation or the
manage page's move. Nothing is stored and nothing else the patient gave is
lost. Tampered, expired and late links are refused with the clinic's phone."""

import datetime

import pytest
import time_machine
from django.core import signing

from booking.manage_links import SALT, manage_path
from booking.models import Appointment, ClinicClosure, Hold, OccupiedBlock
from consultations.models import OutboxMessage
from tests.booking.builders import (
    add_hours,
    london,
    make_appointment_type,
    make_clinician,
    make_location,
)
from tests.booking.flow import DETAILS, EVERY_DAY, answer_warning_signs, choose

pytestmark = pytest.mark.django_db

# A Wednesday morning in winter (London is on UTC).
NOW = london(2026, 12, 2, 8, 0)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def diary():
    location = make_location(name="Islington clinic", phone="020 7946 0123")
    clinician = make_clinician(name="Dr Grace Hopper", slug="grace-hopper")
    add_hours(clinician, location, EVERY_DAY, ("09:00", "17:00"))
    appointment_type = make_appointment_type(clinicians=[clinician])
    return location, clinician, appointment_type


def slot(clinician, starts_at):
    return f"{clinician.pk}|{starts_at.astimezone(datetime.UTC).isoformat()}"


def closed_on(day, location=None):
    return ClinicClosure.objects.create(date=day, name="Bank holiday", location=location)


# Each way a time can be wrong: how to make it so, the time, and what the patient reads.
WRONG_TIMES = {
    "past": (lambda diary: None, london(2026, 12, 1, 10, 0), "That time has passed."),
    "too soon": (
        lambda diary: None,
        london(2026, 12, 2, 9, 0),
        "That time is too soon: bookings need at least 2 hours’ notice.",
    ),
    "beyond the horizon": (
        lambda diary: None,
        london(2027, 2, 3, 10, 0),
        "That time is too far ahead: bookings open 8 weeks ahead.",
    ),
    "on a closure": (
        lambda diary: closed_on(datetime.date(2026, 12, 7)),
        london(2026, 12, 7, 10, 0),
        "The clinic is closed on Monday 7 December 2026 (Bank holiday).",
    ),
    "on this location's closure": (
        lambda diary: closed_on(datetime.date(2026, 12, 7), diary[0]),
        london(2026, 12, 7, 10, 0),
        "The clinic is closed on Monday 7 December 2026 (Bank holiday).",
    ),
    "with an inactive clinician": (
        lambda diary: type(diary[1]).objects.filter(pk=diary[1].pk).update(is_active=False),
        london(2026, 12, 7, 10, 0),
        "Dr Grace Hopper is not taking bookings at the moment.",
    ),
    "outside the clinician's hours": (
        lambda diary: None,
        london(2026, 12, 7, 18, 0),
        "Dr Grace Hopper is not available for the whole appointment at that time",
    ),
}


def nothing_stored():
    return not (
        Hold.objects.exists()
        or Appointment.objects.exists()
        or OccupiedBlock.objects.exists()
        or OutboxMessage.objects.exists()
    )


@pytest.mark.parametrize("wrong", WRONG_TIMES)
def test_holding_a_wrong_time_says_why_and_keeps_what_was_typed(client, diary, wrong):
    location, clinician, appointment_type = diary
    make_it_so, starts_at, message = WRONG_TIMES[wrong]
    answer_warning_signs(client, urgent_signs=["fever"])
    choose(client, appointment_type, location, clinician)
    make_it_so(diary)
    typed = {"full_name": "Ada Lovelace", "email": "ada@example.com"}
    response = client.post("/book/hold/", {"slot": slot(clinician, starts_at), **typed})
    assert response.status_code == 400
    assert message in response.text
    assert "nothing has been booked, and your details are kept" in response.text
    assert nothing_stored()
    state = client.session["booking"]
    assert state["details_data"]["full_name"] == "Ada Lovelace"
    assert state["red_flags"] == ["fever"]
    assert state["appointment_type"] == appointment_type.pk


# Times that were fine when held and went wrong before the patient confirmed.
GONE_WRONG = {
    "it has passed": lambda diary, traveller, held: traveller.move_to(
        held + datetime.timedelta(minutes=1)
    ),
    "the clinic closed that day": lambda diary, traveller, held: closed_on(
        held.astimezone(datetime.UTC).date()
    ),
    "the clinician left": lambda diary, traveller, held: (
        type(diary[1]).objects.filter(pk=diary[1].pk).update(is_active=False)
    ),
}
GONE_WRONG_MESSAGES = {
    "it has passed": "That time has passed.",
    "the clinic closed that day": "The clinic is closed on Monday 7 December 2026",
    "the clinician left": "Dr Grace Hopper is not taking bookings at the moment.",
}


@pytest.mark.parametrize("what_happened", GONE_WRONG)
def test_confirming_a_time_gone_wrong_says_why_and_keeps_the_answers(
    client, diary, frozen_clock, what_happened
):
    location, clinician, appointment_type = diary
    held = london(2026, 12, 7, 10, 0)
    answer_warning_signs(client)
    choose(client, appointment_type, location, clinician)
    assert client.post("/book/hold/", {"slot": slot(clinician, held)}).status_code == 302
    assert client.post("/book/details/", DETAILS)["Location"] == "/book/review/"
    GONE_WRONG[what_happened](diary, frozen_clock, held)
    response = client.post("/book/review/")
    assert response.status_code == 400
    assert GONE_WRONG_MESSAGES[what_happened] in response.text
    assert "your details are kept" in response.text
    assert nothing_stored()
    assert client.session["booking"]["answers"]["patient_name"] == DETAILS["full_name"]


def test_confirming_beyond_a_shortened_horizon_says_why(client, diary, settings):
    location, clinician, appointment_type = diary
    answer_warning_signs(client)
    choose(client, appointment_type, location, clinician)
    client.post("/book/hold/", {"slot": slot(clinician, london(2026, 12, 21, 10, 0))})
    client.post("/book/details/", DETAILS)
    settings.BOOKING_HORIZON_WEEKS = 1
    response = client.post("/book/review/")
    assert response.status_code == 400
    assert "That time is too far ahead: bookings open 1 weeks ahead." in response.text
    assert nothing_stored()


@pytest.fixture
def appointment(client, diary):
    location, clinician, appointment_type = diary
    answer_warning_signs(client)
    choose(client, appointment_type, location, clinician)
    client.post("/book/hold/", {"slot": slot(clinician, london(2026, 12, 9, 10, 0))})
    client.post("/book/details/", DETAILS)
    client.post("/book/review/")
    return Appointment.objects.get()


@pytest.mark.parametrize("wrong", WRONG_TIMES)
def test_moving_to_a_wrong_time_says_why_and_keeps_the_appointment(
    client, diary, appointment, wrong
):
    make_it_so, starts_at, message = WRONG_TIMES[wrong]
    make_it_so(diary)
    emails = OutboxMessage.objects.count()
    response = client.post(manage_path(appointment), {"slot": slot(diary[1], starts_at)})
    assert response.status_code == 400
    assert message in response.text
    assert "Your appointment has not changed." in response.text
    before = (appointment.starts_at, appointment.sequence, appointment.status)
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.sequence, appointment.status) == before
    assert appointment.blocks.count() > 0
    assert OutboxMessage.objects.count() == emails


def test_an_inactive_clinicians_appointment_offers_the_phone_not_times(client, diary, appointment):
    _, clinician, _ = diary
    clinician.is_active = False
    clinician.save()
    page = client.get(manage_path(appointment))
    assert page.status_code == 200
    assert "is not taking new bookings at the moment" in page.text
    assert 'href="tel:02079460123"' in page.text
    assert 'name="slot"' not in page.text
    assert "Cancel this appointment" in page.text


def test_after_the_cut_off_the_page_gives_the_locations_phone_and_changes_nothing(
    client, appointment, frozen_clock
):
    frozen_clock.move_to(appointment.starts_at - datetime.timedelta(hours=23))
    path = manage_path(appointment)
    page = client.get(path)
    after_cutoff = page.text.split('id="after-cutoff"')[1].split("</p>")[0]
    assert "can no longer be changed online" in after_cutoff
    assert '<a href="tel:02079460123">020 7946 0123</a>' in after_cutoff
    assert 'name="slot"' not in page.text
    client.post(path, {"action": "cancel"})
    client.post(path, {"slot": slot(appointment.clinician, london(2026, 12, 9, 14, 0))})
    before = appointment.starts_at
    appointment.refresh_from_db()
    assert (appointment.status, appointment.starts_at) == (Appointment.Status.CONFIRMED, before)
    assert OutboxMessage.objects.count() == 1


def test_an_expired_link_is_refused_with_the_clinics_phone(client, appointment, frozen_clock):
    # A link signed 9 weeks ago (longer than any booking can be ahead).
    frozen_clock.move_to(NOW - datetime.timedelta(weeks=9))
    old = signing.TimestampSigner(salt=SALT).sign_object({"appointment": appointment.pk})
    frozen_clock.move_to(NOW)
    for response in (
        client.get(f"/book/manage/{old}/"),
        client.post(f"/book/manage/{old}/", {"action": "cancel"}),
    ):
        assert response.status_code == 404
        assert "This link cannot be used" in response.text
        assert "The link has expired" in response.text
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token.replace(":", ";"),
        lambda token: token + "x",
        lambda token: "",
        lambda token: token.split(":")[0],
    ],
)
def test_a_tampered_link_is_refused_and_changes_nothing(client, appointment, tamper):
    token = tamper(manage_path(appointment).split("/")[3])
    response = client.post(f"/book/manage/{token}/", {"action": "cancel"})
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED
    assert OutboxMessage.objects.count() == 1
