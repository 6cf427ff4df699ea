"""A held time is given back soon after the patient leaves the booking (the
page's script tells the server as the page goes away), yet a reload or the
next step still finds it held until the time first promised."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from booking.models import Hold
from tests.booking.builders import add_hours, make_appointment_type, make_clinician, make_location
from tests.booking.flow import EVERY_DAY, answer_warning_signs, choose, first_free_slot, hold

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def held(client):
    with time_machine.travel(NOW, tick=False) as clock:
        location = make_location()
        clinician = make_clinician()
        add_hours(clinician, location, EVERY_DAY, ("09:00", "17:00"))
        appointment_type = make_appointment_type(clinicians=[clinician], bookable_online=True)
        slot = first_free_slot(appointment_type, clinician)
        answer_warning_signs(client)
        choose(client, appointment_type, location, clinician)
        hold(client, slot)
        yield clock, Hold.objects.get()


def test_the_held_time_page_names_where_to_say_the_patient_left(client, held):
    details = client.get("/book/details/")
    assert 'data-leaving-url="/book/leaving/"' in details.text
    assert "js/hold-countdown.js" in details.text


def test_a_patient_who_leaves_keeps_the_time_only_a_few_seconds(client, held):
    clock, the_hold = held
    promised = the_hold.expires_at
    assert client.post("/book/leaving/").status_code == 204
    assert Hold.objects.get().expires_at == timezone.now() + datetime.timedelta(seconds=30)
    assert Hold.objects.get().expires_at < promised
    clock.shift(datetime.timedelta(seconds=31))
    details = client.get("/book/details/")
    assert 'id="hold-ended"' in details.text
    assert not Hold.objects.filter(expires_at__gt=timezone.now()).exists()


def test_a_reload_soon_after_holds_the_time_again_as_promised(client, held):
    clock, the_hold = held
    client.post("/book/leaving/")
    clock.shift(datetime.timedelta(seconds=5))
    details = client.get("/book/details/")
    assert 'id="hold-countdown"' in details.text
    assert Hold.objects.get().expires_at == the_hold.expires_at


def test_leaving_never_lengthens_a_hold_about_to_end(client, held):
    clock, the_hold = held
    clock.move_to(the_hold.expires_at - datetime.timedelta(seconds=10))
    client.post("/book/leaving/")
    assert Hold.objects.get().expires_at == the_hold.expires_at


@pytest.mark.parametrize("method", ["get", "put"])
def test_leaving_is_only_said_by_a_post(client, held, method):
    assert getattr(client, method)("/book/leaving/").status_code == 405
    assert Hold.objects.get().expires_at == held[1].expires_at


def test_leaving_without_a_held_time_changes_nothing(client, held):
    _, the_hold = held
    stranger = type(client)()
    assert stranger.post("/book/leaving/").status_code == 204
    assert Hold.objects.get().expires_at == the_hold.expires_at
