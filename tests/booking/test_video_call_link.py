"""Telehealth: the video link reaches the patient with their own booking (the
email, its calendar file, the confirmation and manage pages) and never a
public page."""

import pytest
from django.core.exceptions import ValidationError

from booking.manage_links import manage_path
from booking.models import Appointment
from practice.models import Location
from tests.booking.builders import add_hours, make_appointment_type, make_clinician, make_location
from tests.booking.flow import EVERY_DAY, first_free_slot, walk_to_review
from tests.booking.mail import body_of, calendar_of, sent_emails

pytestmark = pytest.mark.django_db

VIDEO_URL = "https://video.clinic.example/waiting-room/back-pain"


@pytest.fixture
def telehealth():
    return make_location(
        name="Telehealth",
        slug="telehealth",
        kind=Location.Kind.TELEHEALTH,
        address="",
        directions="",
        video_url=VIDEO_URL,
        video_call_note="You need a device with a camera and room to move.",
    )


def book(client, location):
    clinician = make_clinician()
    add_hours(clinician, location, EVERY_DAY, ("09:00", "17:00"))
    appointment_type = make_appointment_type(clinicians=[clinician])
    slot = first_free_slot(appointment_type, clinician)
    walk_to_review(client, location, clinician, appointment_type, slot)
    client.post("/book/review/")
    return Appointment.objects.get()


def test_the_confirmation_email_gives_the_video_link_not_an_address(client, telehealth, smtp):
    book(client, telehealth)
    (message,) = sent_emails(smtp)
    body = body_of(message)
    assert f"Join the video call: {VIDEO_URL}" in body
    assert "room to move" in body
    assert "How to get there" not in body
    _, event = calendar_of(message)
    assert str(event["LOCATION"]) == f"Video call: {VIDEO_URL}"
    assert VIDEO_URL in str(event["DESCRIPTION"])
    assert str(event["URL"]) == VIDEO_URL


def test_a_clinic_email_gives_the_address_and_directions_and_no_video_link(client, smtp):
    clinic = make_location(address="12 Upper Street\nLondon", directions="Angel station, 2 min.")
    book(client, clinic)
    (message,) = sent_emails(smtp)
    body = body_of(message)
    assert "12 Upper Street, London" in body
    assert "How to get there: Angel station" in body
    assert "video" not in body.lower()
    _, event = calendar_of(message)
    assert "URL" not in event


def test_the_confirmation_and_manage_pages_show_the_video_link(client, telehealth):
    appointment = book(client, telehealth)
    for page in (client.get("/book/confirmed/"), client.get(manage_path(appointment))):
        assert f'<a href="{VIDEO_URL}"' in page.text


def test_the_public_location_page_never_shows_the_video_link(client, telehealth):
    page = client.get(telehealth.get_absolute_url())
    assert page.status_code == 200
    assert "link to join is sent when your appointment is confirmed" in page.text
    assert VIDEO_URL not in page.text
    assert VIDEO_URL not in client.get("/clinicians/").text


@pytest.mark.parametrize(
    ("video_url", "message"),
    [
        ("", "Give the link patients join the video call with."),
        ("http://video.clinic.example/room", "secure link (it starts with https://)"),
        ("javascript:alert(1)", "Enter a valid URL."),
    ],
)
def test_a_telehealth_location_needs_a_secure_video_link(video_url, message):
    location = Location(
        name="Telehealth", slug="video", kind=Location.Kind.TELEHEALTH, video_url=video_url
    )
    with pytest.raises(ValidationError) as error:
        location.full_clean()
    assert any(message in text for text in error.value.message_dict["video_url"])


def test_the_sample_telehealth_location_has_a_sample_link():
    from django.core.management import call_command

    call_command("load_sample_clinic", verbosity=0)
    sample = Location.objects.get(kind=Location.Kind.TELEHEALTH)
    sample.full_clean()
    assert sample.video_url.startswith("https://")
