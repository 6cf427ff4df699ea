import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booking.availability import free_slots
from practice.models import AppointmentType, Location, OpeningHours
from tests.booking.builders import add_hours, make_appointment_type, make_clinician, make_location

pytestmark = pytest.mark.django_db


def json_ld(response):
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return [json.loads(block) for block in blocks]


@pytest.fixture
def practice():
    location = make_location(
        name="Islington clinic",
        slug="islington",
        map_url="https://www.openstreetmap.org/?mlat=51.5362&mlon=-0.1033",
        accessibility_notes="Step-free entrance.",
    )
    OpeningHours.objects.create(location=location, weekday=1, opens="08:30", closes="12:30")
    OpeningHours.objects.create(location=location, weekday=1, opens="13:30", closes="18:00")
    clinician = make_clinician(
        name="Dr Amira Hassan",
        slug="dr-amira-hassan",
        role="Consultant in pain medicine",
        languages="English, Arabic",
    )
    add_hours(clinician, location, [1], ("09:00", "12:30"), ("13:30", "17:00"))
    make_appointment_type(name="Initial consultation", clinicians=[clinician])
    return location, clinician


def test_the_clinicians_page_lists_active_clinicians_only(client, practice):
    make_clinician(name="Dr Gone", is_active=False)
    response = client.get(reverse("practice:clinicians"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Our clinicians</h1>" in html
    assert "Dr Amira Hassan" in html and "Dr Gone" not in html
    assert 'href="/locations/islington/"' in html


def test_the_clinicians_page_lists_what_each_one_sees_patients_for_in_the_types_order(client):
    first = make_clinician(name="Dr First", order=1)
    second = make_clinician(name="Dr Second", order=2)
    make_clinician(name="Dr Third", order=3)
    gone = make_clinician(name="Dr Gone", is_active=False)
    make_appointment_type(name="Review", order=3, clinicians=[first, gone])
    make_appointment_type(name="Initial consultation", order=1, clinicians=[first, second])
    make_appointment_type(name="Video call", order=2, clinicians=[second])
    html = client.get(reverse("practice:clinicians")).content.decode()
    cards = re.findall(r'<li class="card clinician-card">(.*?)</li>', html, re.S)
    sees = [re.findall(r"Sees patients for: (.*?)</p>", card) for card in cards]
    assert sees == [
        ["Initial consultation (30 min), Review (30 min)"],
        ["Initial consultation (30 min), Video call (30 min)"],
        [],
    ]


def test_a_clinicians_page_shows_hours_by_place_and_a_book_with_link(client, practice):
    response = client.get(reverse("practice:clinician", kwargs={"slug": "dr-amira-hassan"}))
    html = response.content.decode()
    assert "Monday</th><td>09:00–12:30, 13:30–17:00" in html
    assert "(UK time)" in html
    assert 'href="/book/?clinician=dr-amira-hassan">Book with Dr Amira Hassan</a>' in html
    assert "Languages:</strong> English, Arabic" in html


def test_a_clinicians_page_describes_a_physician_for_search_engines(client, practice):
    response = client.get(reverse("practice:clinician", kwargs={"slug": "dr-amira-hassan"}))
    (data,) = json_ld(response)
    assert data["@type"] == "Physician"
    assert data["name"] == "Dr Amira Hassan"
    assert data["url"].endswith("/clinicians/dr-amira-hassan/")
    assert data["knowsLanguage"] == ["English", "Arabic"]


def test_an_inactive_or_unknown_clinician_is_404(client, practice):
    make_clinician(slug="dr-gone", is_active=False)
    assert client.get("/clinicians/dr-gone/").status_code == 404
    assert client.get("/clinicians/nobody/").status_code == 404


def test_an_inactive_or_unknown_location_is_404(client, practice):
    make_location(slug="old-site", is_active=False)
    assert client.get("/locations/old-site/").status_code == 404
    assert client.get("/locations/nowhere/").status_code == 404


def test_a_clinicians_page_leaves_out_hours_at_a_closed_location(client, practice):
    _location, clinician = practice
    closed = make_location(name="Old site", slug="old-site", order=0)
    add_hours(clinician, closed, [2], ("09:00", "12:00"))
    html = client.get("/clinicians/dr-amira-hassan/").content.decode()
    assert "Old site" in html and "Islington clinic" in html
    closed.is_active = False
    closed.save()
    html = client.get("/clinicians/dr-amira-hassan/").content.decode()
    assert "Old site" not in html and "Tuesday" not in html
    assert "Monday</th><td>09:00–12:30, 13:30–17:00" in html


def test_a_location_page_has_address_hours_map_link_and_who_works_there(client, practice):
    response = client.get(reverse("practice:location", kwargs={"slug": "islington"}))
    html = response.content.decode()
    assert re.search(r"<address>\d+ High Street<br>London<br>N1 1AA</address>", html)
    assert "Monday</th><td>08:30–12:30, 13:30–18:00" in html
    assert 'href="https://www.openstreetmap.org/?mlat=51.5362&amp;mlon=-0.1033"' in html
    assert "<iframe" not in html
    assert "Step-free entrance." in html
    assert "Book with Dr Amira Hassan" in html


def test_a_location_page_describes_a_medical_clinic_with_opening_hours(client, practice):
    response = client.get(reverse("practice:location", kwargs={"slug": "islington"}))
    (data,) = json_ld(response)
    assert data["@type"] == "MedicalClinic"
    assert data["openingHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": "https://schema.org/Monday",
            "opens": "08:30",
            "closes": "12:30",
        },
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": "https://schema.org/Monday",
            "opens": "13:30",
            "closes": "18:00",
        },
    ]
    assert data["hasMap"].startswith("https://www.openstreetmap.org/")


def test_telehealth_says_the_video_link_comes_on_confirmation(client):
    make_location(name="Telehealth", slug="telehealth", kind=Location.Kind.TELEHEALTH, address="")
    html = client.get("/locations/telehealth/").content.decode()
    assert "link to join is sent when your appointment is confirmed" in html
    assert "<address>" not in html


def test_the_sitemap_lists_clinicians_and_locations(client, practice):
    make_clinician(slug="dr-gone", is_active=False)
    xml = client.get("/sitemap.xml").content.decode()
    assert "/clinicians/</loc>" in xml
    assert "/clinicians/dr-amira-hassan/</loc>" in xml
    assert "/locations/islington/</loc>" in xml
    assert "dr-gone" not in xml


def test_a_map_link_must_go_to_openstreetmap():
    location = Location(name="X", slug="x", address="1 Road", map_url="https://maps.example/x")
    with pytest.raises(ValidationError, match=r"openstreetmap\.org"):
        location.full_clean()


def test_the_sample_practice_loads_once_and_shows_a_working_diary(client):
    call_command("load_sample_clinic", stdout=io.StringIO())
    second = io.StringIO()
    call_command("load_sample_clinic", stdout=second)
    assert "nothing loaded" in second.getvalue()
    assert Location.objects.count() == 3
    assert Location.objects.filter(is_main=True).count() == 1
    initial = AppointmentType.objects.get(slug="initial-consultation")
    assert free_slots(appointment_type=initial)
    assert client.get("/clinicians/joanna-kowalska/").status_code == 200
    assert client.get("/locations/richmond/").status_code == 200


def test_the_sitemap_leaves_out_the_clinicians_page_while_nobody_is_on_it(client):
    make_clinician(slug="dr-gone", is_active=False)
    assert "/clinicians/</loc>" not in client.get("/sitemap.xml").content.decode()


def _queries_for(path, client):
    client.get(path)  # warm the site settings cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_practice_pages_cost_the_same_queries_with_one_clinician_or_many(client, settings):
    # Guards against one query per clinician (their appointment types or hours),
    # on the rendering path that a cached page hides.
    settings.PAGE_CACHE = False
    location = make_location(slug="islington")
    first = make_clinician(slug="first")
    add_hours(first, location, [1, 2], ("09:00", "12:00"))
    make_appointment_type(clinicians=[first])
    paths = ["/clinicians/", "/clinicians/first/", "/locations/islington/"]
    before = [_queries_for(path, client) for path in paths]
    for _ in range(5):
        clinician = make_clinician()
        add_hours(clinician, location, [1, 3], ("09:00", "12:00"), ("13:00", "17:00"))
        make_appointment_type(clinicians=[clinician, first])
    after = [_queries_for(path, client) for path in paths]
    assert after == before


@pytest.mark.parametrize(
    "path", ["/clinicians/", "/clinicians/dr-amira-hassan/", "/locations/islington/"]
)
def test_practice_pages_are_cached_until_staff_change_what_they_show(client, practice, path):
    location, clinician = practice
    first = client.get(path)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert len(queries) == 1  # the content version only
    clinician.name = "Dr Amira Hassan-Khan"
    clinician.save()
    location.accessibility_notes = "Step-free entrance and a hearing loop."
    location.save()
    changed = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert "Hassan-Khan" in changed.content.decode()


def test_a_clinicians_new_weekly_hours_show_at_once(client, practice):
    location, clinician = practice
    path = "/clinicians/dr-amira-hassan/"
    assert "Friday" not in client.get(path).content.decode()
    add_hours(clinician, location, [5], ("10:00", "14:00"))
    assert "Friday</th><td>10:00–14:00" in client.get(path).content.decode()
