"""A patient books a time with the keyboard alone on a phone-sized screen
(375 px): every step passes axe-core's WCAG 2.1 AA rules, and the hold's
countdown runs on Playwright's clock."""

import io

import pytest
from django.core.management import call_command

from booking.models import Appointment
from tests.browser.test_requesting_a_consultation import tab_to

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def viewport():
    return "phone"


def press_on(page, selector, key="Enter"):
    tab_to(page, selector)
    page.keyboard.press(key)


def test_a_patient_books_by_keyboard_at_375px(page, live_server, assert_accessible, screenshot):
    call_command("load_sample_clinic", stdout=io.StringIO())
    page.clock.install()
    page.goto(live_server.url + "/book/")
    assert page.locator("h1").count() == 1
    assert_accessible()
    press_on(page, "[type=submit]")

    page.wait_for_url("**/book/choose/")
    assert_accessible()
    press_on(page, "[name=appointment_type]", "Space")
    press_on(page, "[name=location]", "Space")
    press_on(page, "[type=submit]")

    page.wait_for_url("**/book/times/")
    assert "UK time" in page.locator("main").inner_text()
    assert_accessible()
    screenshot("booking-times")
    press_on(page, "[name=slot]")

    page.wait_for_url("**/book/details/")
    remaining = page.locator("#hold-countdown .hold-remaining")
    before = remaining.inner_text()
    page.clock.run_for(61_000)
    after = remaining.inner_text()
    assert before != after and after.endswith("minutes")
    assert_accessible()
    for name, value in {
        "full_name": "Alex Patient",
        "email": "alex.patient@example.com",
        "phone": "07911 123456",
        "description": "Lower back pain for three weeks.",
    }.items():
        tab_to(page, f"[name={name}]")
        page.keyboard.type(value)
    press_on(page, "[name=pain_duration_weeks]", "ArrowDown")
    tab_to(page, "[name=pain_intensity]")
    page.keyboard.type("6")
    press_on(page, "[name=consent]", "Space")
    press_on(page, "[type=submit]")

    page.wait_for_url("**/book/review/")
    assert "Alex Patient" in page.locator("main").inner_text()
    assert_accessible()
    press_on(page, "form[action='/book/review/'] [type=submit]")

    page.wait_for_url("**/book/confirmed/")
    assert page.locator("h1").inner_text() == "Your appointment is booked"
    assert_accessible()
    screenshot("booking-confirmed")
    assert Appointment.objects.get().patient_name == "Alex Patient"
