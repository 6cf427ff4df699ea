"""The staff diary in the admin: a day or a week of a clinician's or a
location's appointments and free times, in UK time, printable."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booking.models import AvailabilityException
from booking.services import book_appointment, move_appointment
from consultations.red_flags import Urgency
from tests.booking.builders import (
    add_hours,
    london,
    make_appointment_type,
    make_clinician,
    make_diary,
    make_location,
)
from tests.staff import sign_in_with_second_factor

pytestmark = pytest.mark.django_db

EVERY_DAY = (1, 2, 3, 4, 5, 6, 7)
# A Monday in winter (GMT), a week before the clocks go forward.
MONDAY = datetime.date(2026, 3, 16)
BEFORE_OPENING = london(2026, 3, 16, 6, 0)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(BEFORE_OPENING, tick=False):
        yield


@pytest.fixture
def diary():
    location, (clinician,), appointment_type = make_diary(weekdays=EVERY_DAY)
    return location, clinician, appointment_type


def diary_page(kind, pk, span, day, **query):
    url = reverse("admin:booking_diary_page", args=[kind, pk, span, day.isoformat()])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def book(location, clinician, appointment_type, starts_at, name="Ada Lovelace", **answers):
    return book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=starts_at,
        patient_name=name,
        patient_email=f"{name.split()[0].lower()}@example.com",
        answers=answers or None,
    )


def booking_links(html):
    """The free starts the page offers, as their accessible names say them."""
    return re.findall(r'aria-label="Book (\d\d:\d\d [A-Z]+)', html)


def test_a_clinicians_day_shows_each_booking_and_the_free_times_in_uk_time(admin_client, diary):
    _, clinician, appointment_type = diary
    book(*diary, london(2026, 3, 16, 10, 0), urgency=Urgency.URGENT)

    html = admin_client.get(diary_page("clinician", clinician.pk, "day", MONDAY)).content.decode()

    assert "Times are in the clinic’s time zone (Europe/London)" in html
    assert "Ada Lovelace</a>, " + appointment_type.name + " — Confirmed" in html
    assert "10:00 GMT–10:30 GMT" in html
    assert "Flagged: Urgent" in html
    # 9:00–12:30 minus 10:00–10:30, for a 30-minute type on 15-minute steps.
    assert booking_links(html) == [
        "09:00 GMT",
        "09:15 GMT",
        "09:30 GMT",
        "10:30 GMT",
        "10:45 GMT",
        "11:00 GMT",
        "11:15 GMT",
        "11:30 GMT",
        "11:45 GMT",
        "12:00 GMT",
    ]
    assert "09:00 GMT–10:00 GMT" in html and "10:30 GMT–12:30 GMT" in html


def test_a_patients_no_shows_are_shown_beside_their_booking(admin_client, diary):
    _, clinician, _ = diary
    missed = book(*diary, london(2026, 3, 16, 9, 0), name="Ada Lovelace")
    book(*diary, london(2026, 3, 17, 9, 0), name="Ada Lovelace")
    with time_machine.travel(london(2026, 3, 16, 11, 0), tick=False):
        move_appointment(appointment=missed, to_status="no_show")

    html = admin_client.get(
        diary_page("clinician", clinician.pk, "day", MONDAY + datetime.timedelta(days=1))
    ).content.decode()
    assert "1 no-show" in html


def test_a_free_time_opens_the_staff_booking_form_filled_in(admin_client, diary):
    location, clinician, appointment_type = diary
    html = admin_client.get(diary_page("clinician", clinician.pk, "day", MONDAY)).content.decode()
    link = re.search(r'<a href="([^"]+)" aria-label="Book 09:15 GMT"', html).group(1)

    form = admin_client.get(link.replace("&amp;", "&")).context["adminform"].form
    assert form.initial["clinician"] == str(clinician.pk)
    assert form.initial["location"] == str(location.pk)
    assert form.initial["appointment_type"] == str(appointment_type.pk)
    assert form["starts_at"].value() == london(2026, 3, 16, 9, 15)


def test_a_week_runs_monday_to_sunday_with_previous_next_and_today_links(admin_client, diary):
    _, clinician, _ = diary
    wednesday = MONDAY + datetime.timedelta(days=2)
    response = admin_client.get(diary_page("clinician", clinician.pk, "week", wednesday))
    html = response.content.decode()

    days = [day.date for day in response.context["days"]]
    assert days == [MONDAY + datetime.timedelta(days=n) for n in range(7)]
    assert re.search(r"Monday 16 March 2026</a> \(today\)", html)
    assert (
        diary_page("clinician", clinician.pk, "week", MONDAY - datetime.timedelta(days=7)) in html
    )
    assert (
        diary_page("clinician", clinician.pk, "week", MONDAY + datetime.timedelta(days=7)) in html
    )
    assert ">Today</a>" in html


def test_a_location_shows_every_clinician_working_there(admin_client):
    location, (first, second), appointment_type = make_diary(clinicians=2, weekdays=EVERY_DAY)
    elsewhere = make_clinician(name="Dr Elsewhere")
    add_hours(elsewhere, make_location(), EVERY_DAY, ("09:00", "12:30"))
    book(location, second, appointment_type, london(2026, 3, 16, 9, 0))

    html = admin_client.get(diary_page("location", location.pk, "day", MONDAY)).content.decode()

    assert f"with {first.name}" in html and f"with {second.name}" in html
    assert "Dr Elsewhere" not in html
    assert "Ada Lovelace" in html


def test_free_times_follow_the_chosen_appointment_type(admin_client, diary):
    _, clinician, short = diary

    long = make_appointment_type(clinicians=[clinician], duration_minutes=180)
    shortest = admin_client.get(diary_page("clinician", clinician.pk, "day", MONDAY))
    assert shortest.context["diary"].appointment_type == short

    html = admin_client.get(
        diary_page("clinician", clinician.pk, "day", MONDAY, type=long.pk)
    ).content.decode()
    assert booking_links(html) == ["09:00 GMT", "09:15 GMT", "09:30 GMT"]


@pytest.mark.parametrize("span", ["day", "week"])
def test_the_diary_costs_the_same_queries_however_many_bookings_and_clinicians(admin_client, span):
    # Guards against a query per appointment (type, location, no-shows) or per clinician.
    def queries_for(clinicians, bookings_each):
        location, team, appointment_type = make_diary(clinicians=clinicians, weekdays=EVERY_DAY)
        AvailabilityException.objects.create(
            clinician=team[0],
            date=MONDAY,
            reason="Training",
            starts=datetime.time(12),
            ends=datetime.time(12, 30),
        )
        for clinician in team:
            for n in range(bookings_each):
                book(
                    location,
                    clinician,
                    appointment_type,
                    london(2026, 3, 16, 9, 0) + datetime.timedelta(minutes=30 * n),
                    name=f"Patient {n}",
                )
        counts = []
        for kind, pk in [("location", location.pk), ("clinician", team[-1].pk)]:
            with CaptureQueriesContext(connection) as queries:
                assert admin_client.get(diary_page(kind, pk, span, MONDAY)).status_code == 200
            counts.append(len(queries))
        return counts

    assert queries_for(1, 1) == queries_for(6, 5)


def test_the_day_the_clocks_go_forward_offers_no_time_that_does_not_exist(admin_client):
    location, (clinician,), appointment_type = make_diary(
        weekdays=(7,), ranges=(("00:00", "03:00"),)
    )
    book(location, clinician, appointment_type, london(2026, 3, 29, 2, 30))

    html = admin_client.get(
        diary_page("clinician", clinician.pk, "day", datetime.date(2026, 3, 29))
    ).content.decode()

    # 01:00–02:00 does not exist that night: 00:45 GMT is followed by 02:00 BST.
    assert booking_links(html) == [
        "00:00 GMT",
        "00:15 GMT",
        "00:30 GMT",
        "00:45 GMT",
        "02:00 BST",
    ]
    assert "02:30 BST–03:00 BST" in html


def test_the_day_the_clocks_go_back_shows_the_repeated_hour_twice(client, admin_user):
    location, (clinician,), appointment_type = make_diary(
        weekdays=(7,), ranges=(("00:00", "03:00"),)
    )
    with time_machine.travel(london(2026, 10, 20, 9, 0), tick=False):
        admin_client = sign_in_with_second_factor(client, admin_user)
        # Given in London time: the second 01:30 of the night (GMT).
        book(location, clinician, appointment_type, london(2026, 10, 25, 1, 30, fold=1))
        html = admin_client.get(
            diary_page("clinician", clinician.pk, "day", datetime.date(2026, 10, 25))
        ).content.decode()

    links = booking_links(html)
    assert "01:00 BST" in links and "01:00 GMT" in links
    assert "01:30 BST" in links
    assert "01:30 GMT–02:00 GMT" in html  # the booking, in the second 01:30
    assert "01:30 GMT" not in links


def test_the_diary_prints_on_a4_without_the_admins_navigation(admin_client, diary):
    _, clinician, _ = diary
    html = admin_client.get(diary_page("clinician", clinician.pk, "week", MONDAY)).content.decode()
    assert "/static/css/admin-diary.css" in html

    stylesheet = (Path(settings.BASE_DIR) / "static/css/admin-diary.css").read_text()
    print_rules = stylesheet[stylesheet.index("@media print") :]
    assert "size: A4" in print_rules
    for chrome in ["#header", ".breadcrumbs", "#nav-sidebar", ".diary-controls", ".diary-book"]:
        assert chrome in print_rules
    assert 'class="diary-controls"' in html and 'class="diary-book"' in html


@pytest.mark.parametrize("bad", ["2026-02-30", "yesterday", "2026-03-16x"])
def test_a_date_that_is_not_one_is_404(admin_client, diary, bad):
    _, clinician, _ = diary
    url = reverse("admin:booking_diary_page", args=["clinician", clinician.pk, "day", bad])
    assert admin_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("kind", "span"), [("patient", "day"), ("clinician", "month"), ("location", "year")]
)
def test_an_unknown_diary_or_span_is_404(admin_client, diary, kind, span):
    _, clinician, _ = diary
    url = reverse("admin:booking_diary_page", args=[kind, clinician.pk, span, "2026-03-16"])
    assert admin_client.get(url).status_code == 404


@pytest.mark.parametrize("request_number", ["9" * 40, "²"])
def test_an_unknown_type_or_request_in_the_query_is_ignored(admin_client, diary, request_number):
    _, clinician, appointment_type = diary
    response = admin_client.get(
        diary_page(
            "clinician",
            clinician.pk,
            "day",
            MONDAY,
            type="x%27",
            consultation_request=request_number,
        )
    )
    assert response.status_code == 200
    assert response.context["diary"].appointment_type == appointment_type


def test_the_chooser_opens_the_chosen_diary(admin_client, diary):
    location, clinician, _ = diary
    index = reverse("admin:booking_diary_changelist")
    page = admin_client.get(index).content.decode()
    assert clinician.name in page and location.name in page

    response = admin_client.get(
        index, {"diary": f"location-{location.pk}", "day": "2026-03-18", "span": "week"}
    )
    assert response.status_code == 302
    assert response["Location"] == diary_page(
        "location", location.pk, "week", datetime.date(2026, 3, 18)
    )

    refused = admin_client.get(index, {"diary": "location-x", "day": "someday", "span": "year"})
    assert refused.status_code == 200
    assert "Choose a clinician or location and a date." in refused.content.decode()


def test_the_appointment_list_and_the_admin_index_link_to_the_diary(admin_client, diary):
    index = reverse("admin:booking_diary_changelist")
    assert index in admin_client.get(reverse("admin:index")).content.decode()
    changelist = admin_client.get(reverse("admin:booking_appointment_changelist"))
    assert index in changelist.content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31"])
@pytest.mark.parametrize("span", ["day", "week"])
def test_a_day_at_the_calendars_ends_is_404_not_a_server_error(admin_client, diary, day, span):
    _, clinician, _ = diary
    page = reverse("admin:booking_diary_page", args=["clinician", clinician.pk, span, day])
    assert admin_client.get(page).status_code == 404
    export = reverse("admin:booking_diary_export", args=["clinician", clinician.pk, day])
    assert admin_client.get(export).status_code == 404
