"""Booking in Chromium, by keyboard alone, at 375 px and at 1280 px, with
every page passing axe-core's WCAG 2.1 AA rules: the whole journey (warning
signs first, then the choice, the day view, the held time's countdown on
Playwright's clock, the details, the review, the confirmation); the day view's
"later" link and first free times; and the emailed link, fetched from a real
SMTP server, used to move, cancel and book again."""

import re
from urllib.parse import urlsplit

import pytest

from booking.availability import free_slots
from booking.models import Appointment
from booking.patient_booking import book_online
from practice.models import AppointmentType, Clinician, Location
from tests.booking.mail import body_of, calendar_of, sent_emails
from tests.browser.test_requesting_a_consultation import tab_to
from tests.outbox.conftest import use_smtp
from tests.outbox.smtp_sink import smtp_sink

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def smtp(settings):
    with smtp_sink() as (sink, port):
        use_smtp(settings, port)
        yield sink


def press_on(page, selector, key="Enter"):
    tab_to(page, selector, limit=200)
    page.keyboard.press(key)


def to_the_day_view(page, live_server):
    """By keyboard: no warning signs, the first appointment type and place."""
    page.goto(live_server.url + "/book/")
    press_on(page, "form [type=submit]")
    page.wait_for_url("**/book/choose/")
    press_on(page, "[name=appointment_type]", "Space")
    press_on(page, "[name=location]", "Space")
    press_on(page, "form[action='/book/choose/'] [type=submit]")
    page.wait_for_url("**/book/times/")


def main_text(page):
    return page.locator("main").inner_text()


def test_a_patient_books_the_whole_journey_by_keyboard(
    page, live_server, sample_clinic, assert_accessible, screenshot
):
    page.clock.install()
    page.goto(live_server.url + "/book/")
    assert page.locator("h1").count() == 1
    assert_accessible()
    # A warning sign: the emergency advice comes first, and booking goes on.
    press_on(page, "[name=emergency_signs]", "Space")
    press_on(page, "form [type=submit]")

    page.wait_for_url("**/book/choose/")
    advice, _, _ = main_text(page).partition("Book a consultation")
    assert "emergency" in advice.lower() and "You can still book below" in advice
    assert_accessible()
    press_on(page, "[name=appointment_type]", "Space")
    press_on(page, "[name=location]", "Space")
    press_on(page, "form[action='/book/choose/'] [type=submit]")

    page.wait_for_url("**/book/times/")
    assert "UK time" in main_text(page)
    assert page.locator(".first-free").count() >= 1
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
    press_on(page, "form[action='/book/details/'] [type=submit]")

    page.wait_for_url("**/book/review/")
    assert "Alex Patient" in main_text(page)
    assert page.locator("#hold-countdown").is_visible()
    assert_accessible()
    press_on(page, "form[action='/book/review/'] [type=submit]")

    page.wait_for_url("**/book/confirmed/")
    assert page.locator("h1").inner_text() == "Your appointment is booked"
    assert_accessible()
    screenshot("booking-confirmed")
    appointment = Appointment.objects.get()
    assert appointment.patient_name == "Alex Patient"
    assert appointment.red_flags  # flagged for staff, booked all the same


def test_the_countdown_ends_and_says_the_time_is_no_longer_held(
    page, live_server, sample_clinic, assert_accessible
):
    page.clock.install()
    to_the_day_view(page, live_server)
    press_on(page, "[name=slot]")
    page.wait_for_url("**/book/details/")
    page.clock.run_for(10 * 60 * 1000 + 1000)
    assert "no longer holding this time" in page.locator("#held-time").inner_text()
    assert_accessible()
    # "Choose another time" gives the held time back, by keyboard too.
    press_on(page, "#held-time [type=submit]")
    page.wait_for_url("**/book/times/")
    assert_accessible()


def test_the_day_view_shows_first_free_times_and_later_days_by_keyboard(
    page, live_server, sample_clinic, assert_accessible
):
    to_the_day_view(page, live_server)
    days = page.locator(".booking-day")
    assert 1 <= days.count() <= 7
    for index in range(days.count()):
        day = days.nth(index)
        first_free = day.locator(".first-free").inner_text()
        parts = [h.inner_text() for h in day.locator("h3").all()]
        assert parts and set(parts) <= {"Morning", "Afternoon", "Evening"}
        for part in parts:
            assert re.search(rf"{part.lower()} \d\d:\d\d", first_free), first_free
    first_day = days.first.locator("h2").inner_text()

    # The only "from=" link on the first week: "Later (the next 7 days)".
    press_on(page, "nav[aria-label='More days'] a[href*='from=']")
    page.wait_for_url(re.compile(r"/book/times/\?from=\d{4}-\d\d-\d\d$"))
    assert page.locator(".booking-day h2").first.inner_text() != first_day
    assert page.get_by_role("link", name="Earlier", exact=True).is_visible()
    assert_accessible()
    # A time on a later day is held like any other.
    press_on(page, "[name=slot]")
    page.wait_for_url("**/book/details/")


def book_for_a_patient(*, days_ahead=3):
    """An online booking a few days ahead, its confirmation email queued."""
    appointment_type = AppointmentType.objects.get(slug="follow-up")
    location = Location.objects.get(slug="islington")
    clinician = Clinician.objects.get(slug="joanna-kowalska")
    slots = free_slots(appointment_type=appointment_type, clinicians=[clinician], location=location)
    slot = next(s for s in slots if (s.starts_at - slots[0].starts_at).days >= days_ahead)
    return book_online(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=slot.starts_at,
        hold_token=None,
        answers={
            "patient_name": "Alex Patient",
            "patient_email": "alex.patient@example.com",
            "patient_phone": "",
        },
    )


def manage_link_in(message, live_server):
    """The manage link the email gives, pointed at the test's server."""
    (link,) = re.findall(r"https?://\S+/book/manage/\S+/", body_of(message))
    return live_server.url + urlsplit(link).path


def test_the_patient_moves_cancels_and_books_again_from_the_emails_link(
    page, live_server, sample_clinic, smtp, assert_accessible, screenshot
):
    appointment = book_for_a_patient()
    (confirmation,) = sent_emails(smtp)
    _, booked = calendar_of(confirmation)
    page.goto(manage_link_in(confirmation, live_server))
    assert page.locator("h1").inner_text() == "Your appointment"
    assert "12 Upper Street" in main_text(page)
    assert_accessible()
    screenshot("booking-manage")

    # Move, by keyboard.
    old_start = appointment.starts_at
    # On the last day shown, well before the cut-off, so it can still be cancelled.
    tab_to(page, "section:last-of-type [name=slot]", limit=400)
    new_time = page.evaluate("document.activeElement.innerText")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert new_time.split()[0] in page.locator("main p").first.inner_text()
    appointment.refresh_from_db()
    assert appointment.starts_at != old_start
    assert_accessible()
    _, change = sent_emails(smtp)
    assert "moved" in change["Subject"]
    _, moved = calendar_of(change)
    assert moved["UID"] == booked["UID"] and moved["SEQUENCE"] > booked["SEQUENCE"]
    assert moved.decoded("DTSTART") == appointment.starts_at

    # Cancel, from the link in the latest email.
    page.goto(manage_link_in(change, live_server))
    press_on(page, "[name=action][value=cancel]")
    page.wait_for_selector("#appointment-cancelled")
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED_BY_PATIENT
    assert_accessible()
    *_, cancellation = sent_emails(smtp)
    assert "cancelled" in cancellation["Subject"]

    # Book again, from the same page: the booking starts at the warning signs.
    press_on(page, "a#book-again")
    page.wait_for_url("**/book/?clinician=joanna-kowalska")
    assert page.locator("[name=emergency_signs]").count() > 0
    assert_accessible()


def test_the_manage_page_after_the_cut_off_gives_the_phone(
    page, live_server, sample_clinic, smtp, settings, assert_accessible
):
    appointment = book_for_a_patient(days_ahead=0)
    (confirmation,) = sent_emails(smtp)
    settings.BOOKING_CHANGE_CUTOFF_HOURS = 24 * 60  # any booking is now within it
    page.goto(manage_link_in(confirmation, live_server))
    assert "can no longer be changed online" in main_text(page)
    assert page.locator("#after-cutoff a[href^='tel:']").inner_text() == appointment.location.phone
    assert page.locator("[name=slot]").count() == 0
    assert_accessible()
