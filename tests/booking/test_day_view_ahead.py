"""The week of times answered ahead of Django's middleware
(clinic/filled_pages_wsgi.py): as Django answers it, with the patient's own
session and CSRF token, a time held from it is held, and whatever changes the
diary or needs a write goes to Django."""

import gzip
import re
import urllib.parse

import pytest
import time_machine
from django.test import Client

from booking.forms import slot_value
from booking.models import Hold
from booking.services import book_appointment
from clinic import filled_pages_wsgi
from tests.booking.builders import london
from tests.booking.flow import answer_warning_signs, choose, first_free_slot, hold
from tests.wsgi_calls import call, wsgi_environ

pytestmark = pytest.mark.django_db

NOW = london(2026, 3, 2, 7, 0)  # Monday 2 March 2026, 7:00 GMT
TIMES = "/book/times/"
# Made afresh for each answer: compared by name only.
PER_ANSWER = {"Expires", "Content-Length", "Set-Cookie", "X-Request-ID"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def patient(diary):
    """The Cookie header of a patient who has chosen a type and place, with
    the first available clinician."""
    location, _, appointment_type = diary
    client = Client()
    answer_warning_signs(client)
    choose(client, appointment_type, location)
    client.get(TIMES)  # the CSRF cookie
    return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())


def environ(cookie, method="GET", path=TIMES, body=b"", **fields):
    return wsgi_environ(
        path,
        body,
        REQUEST_METHOD=method,
        HTTP_COOKIE=cookie,
        CONTENT_TYPE="application/x-www-form-urlencoded",
        **fields,
    )


def page(body):
    return gzip.decompress(body).decode()


def without_token(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def offered(html):
    return re.findall(r'name="slot" value="([^"]+)"', html)


def test_the_week_is_answered_ahead_of_django_as_django_answers_it(
    wsgi_site, patient, requests_django_saw
):
    by_django = call(wsgi_site, environ(patient))
    assert len(requests_django_saw) == 1
    ahead = call(wsgi_site, environ(patient))
    assert len(requests_django_saw) == 1  # Django never saw the second request
    assert ahead[0] == by_django[0] == "200 OK"
    assert sorted(name for name, _ in ahead[1]) == sorted(name for name, _ in by_django[1])
    assert {(n, v) for n, v in ahead[1] if n not in PER_ANSWER} == {
        (n, v) for n, v in by_django[1] if n not in PER_ANSWER
    }
    assert ("Vary", "Accept-Encoding, Cookie") in ahead[1]
    assert without_token(page(ahead[2])) == without_token(page(by_django[2]))
    assert offered(page(ahead[2]))


def test_a_time_held_from_a_week_answered_ahead_of_django_is_held(wsgi_site, patient, diary):
    call(wsgi_site, environ(patient))
    _, _, body = call(wsgi_site, environ(patient))
    html = page(body)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "slot": offered(html)[0]})
    status, headers, _ = call(
        wsgi_site, environ(patient, method="POST", path="/book/hold/", body=form.encode())
    )
    assert status.startswith("302"), status
    assert dict(headers)["Location"] == "/book/details/"
    assert Hold.objects.count() == 1


def test_a_booking_made_elsewhere_leaves_the_week_at_once(
    wsgi_site, patient, diary, requests_django_saw
):
    location, clinician, appointment_type = diary
    call(wsgi_site, environ(patient))
    slot = first_free_slot(appointment_type, clinician)
    assert slot_value(slot) in offered(page(call(wsgi_site, environ(patient))[2]))
    book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=slot.starts_at,
        patient_name="Someone else",
    )
    # Not made for this state of the diary: Django answers, and makes it.
    assert filled_pages_wsgi.filled_page(environ(patient)) is None
    assert slot_value(slot) not in offered(page(call(wsgi_site, environ(patient))[2]))
    seen = len(requests_django_saw)
    assert slot_value(slot) not in offered(page(call(wsgi_site, environ(patient))[2]))
    assert len(requests_django_saw) == seen


def test_a_patient_back_from_a_held_time_is_answered_by_django_which_gives_it_back(
    wsgi_site, diary
):
    location, clinician, appointment_type = diary
    holding, other = Client(), Client()
    for client in (holding, other):
        answer_warning_signs(client)
        choose(client, appointment_type, location)
    hold(holding, first_free_slot(appointment_type, clinician))
    assert Hold.objects.count() == 1
    # Another patient's visits make the week for this state of the diary.
    other_cookie = "; ".join(f"{k}={m.value}" for k, m in other.cookies.items())
    call(wsgi_site, environ(other_cookie))
    assert call(wsgi_site, environ(other_cookie))[0] == "200 OK"
    holding_cookie = "; ".join(f"{k}={m.value}" for k, m in holding.cookies.items())
    assert filled_pages_wsgi.filled_page(environ(holding_cookie)) is None
    status, _, _ = call(wsgi_site, environ(holding_cookie))
    assert status == "200 OK"
    assert not Hold.objects.exists()


def test_the_session_cookie_is_renewed_as_djangos_middleware_renews_it(
    wsgi_site, patient, settings
):
    call(wsgi_site, environ(patient))
    settings.SESSION_SAVE_EVERY_REQUEST = True
    _, headers, _ = call(wsgi_site, environ(patient))
    assert any(
        value.strip().startswith("sessionid=") for name, value in headers if name == "Set-Cookie"
    )


def test_a_visitor_who_has_not_chosen_is_sent_to_choose_by_django(wsgi_site, patient):
    call(wsgi_site, environ(patient))
    csrf_only = "; ".join(part for part in patient.split("; ") if part.startswith("csrftoken="))
    assert filled_pages_wsgi.filled_page(environ(csrf_only)) is None
    status, headers, _ = call(wsgi_site, environ(csrf_only))
    assert status.startswith("302") and dict(headers)["Location"] == "/book/choose/"


def test_another_week_is_answered_ahead_once_django_has_made_it(
    wsgi_site, patient, requests_django_saw
):
    next_week = environ(patient, QUERY_STRING="from=2026-03-09")
    by_django = page(call(wsgi_site, next_week)[2])
    seen = len(requests_django_saw)
    ahead = page(call(wsgi_site, next_week)[2])
    assert len(requests_django_saw) == seen
    assert without_token(ahead) == without_token(by_django)
    assert "2026-03-09" in " ".join(offered(ahead))
    assert not any(value.startswith("2026-03-02") for value in offered(ahead))


def test_an_address_with_a_nul_is_refused_by_django(wsgi_site, patient):
    call(wsgi_site, environ(patient))
    assert filled_pages_wsgi.filled_page(environ(patient, QUERY_STRING="from=%00")) is None
    assert call(wsgi_site, environ(patient, QUERY_STRING="from=%00"))[0].startswith("400")
