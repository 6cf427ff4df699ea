"""The staff diary in Chromium at 1280 px: accessible, usable by keyboard,
and printed without the admin's navigation."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from booking.services import book_appointment
from consultations.red_flags import Urgency
from tests.booking.builders import london, make_diary
from tests.staff import sign_in_in_browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def viewport():
    return "desktop"


def test_the_front_desk_reads_the_diary_and_books_a_free_time_by_keyboard(
    page, live_server, assert_accessible, screenshot
):
    location, (clinician,), appointment_type = make_diary(weekdays=(1, 2, 3, 4, 5, 6, 7))
    day = timezone.localdate() + datetime.timedelta(days=7)
    book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=london(day.year, day.month, day.day, 10, 0),
        patient_name="Ada Lovelace",
        answers={"urgency": Urgency.URGENT},
    )
    User.objects.create_superuser("desk", "desk@example.com", "a-long-password-1")
    sign_in_in_browser(page, live_server.url, "desk", "a-long-password-1")

    page.goto(live_server.url + reverse("admin:booking_diary_changelist"))
    assert_accessible()
    page.goto(
        live_server.url
        + reverse("admin:booking_diary_page", args=["clinician", clinician.pk, "week", day])
    )
    assert page.get_by_text("Ada Lovelace").is_visible()
    assert_accessible()

    page.goto(
        live_server.url
        + reverse("admin:booking_diary_page", args=["clinician", clinician.pk, "day", day])
    )
    assert page.get_by_text("Flagged: Urgent").is_visible()
    assert_accessible()
    screenshot("diary-day")

    # Printed: the list alone, no admin header or navigation, no booking links.
    page.emulate_media(media="print")
    assert not page.locator("#header").is_visible()
    assert not page.locator(".diary-controls").first.is_visible()
    assert page.get_by_text("Ada Lovelace").is_visible()
    page.emulate_media(media="screen")

    # By keyboard: tab to the first free time and open the booking form with it.
    first_free = page.locator(".diary-book a").first
    label = first_free.get_attribute("aria-label")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == label:
            break
    else:
        pytest.fail("The first free time cannot be reached by keyboard.")
    page.keyboard.press("Enter")
    page.wait_for_url("**/booking/appointment/add/**")
    assert page.input_value("#id_starts_at_1").startswith(label.split()[1])
    assert page.locator("#id_clinician").input_value() == str(clinician.pk)
    assert_accessible()
