"""The waitlist in Chromium, by keyboard, at 375 px and at 1280 px, every
page passing axe-core's WCAG 2.1 AA rules: joining from the day view (a
mistake first, told next to the field), the emailed offer of a freed time
claimed into the usual booking steps, and leaving from the link."""

import datetime

import pytest
from django.utils import timezone

from booking.availability import clinic_zone, free_slots
from booking.models import WaitlistEntry
from booking.patient_booking import cancel_by_patient
from booking.services import book_appointment
from booking.waitlist import claim_path, leave_path, offer_freed_times
from practice.models import AppointmentType, Location
from tests.browser.test_booking import main_text, press_on, to_the_day_view
from tests.browser.test_requesting_a_consultation import tab_to

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def type_into(page, selector, text):
    tab_to(page, selector, limit=200)
    page.keyboard.type(text)


def join_from_the_day_view(page, live_server, assert_accessible):
    to_the_day_view(page, live_server)
    press_on(page, "a[href='/book/waitlist/']")

    page.wait_for_url("**/book/waitlist/")
    assert_accessible()
    type_into(page, "[name=full_name]", "Grace Hopper")
    # The email forgotten: told next to the field, what was typed kept.
    before = timezone.localdate(timezone.now(), clinic_zone()) + datetime.timedelta(days=21)
    page.locator("[name=before]").fill(before.isoformat())
    press_on(page, "[name=consent]", "Space")
    press_on(page, "form[action='/book/waitlist/'] [type=submit]")
    page.locator("main").get_by_text("Please give your email address").first.wait_for()
    assert page.locator("[name=full_name]").input_value() == "Grace Hopper"
    assert_accessible()
    type_into(page, "[name=email]", "grace@example.com")
    if not page.locator("[name=consent]").is_checked():
        press_on(page, "[name=consent]", "Space")
    press_on(page, "form[action='/book/waitlist/'] [type=submit]")
    page.wait_for_url("**/book/waitlist/joined/")
    assert_accessible()
    return WaitlistEntry.objects.get(email="grace@example.com")


def a_time_comes_free(entry):
    """Someone else's appointment for the same kind of time, cancelled:
    the waitlist's offers go out."""
    appointment_type = AppointmentType.objects.get(pk=entry.appointment_type_id)
    location = Location.objects.get(pk=entry.location_id)
    slot = next(
        slot
        for slot in free_slots(appointment_type=appointment_type, location=location, days=14)
        if slot.location_id == location.pk
    )
    appointment = book_appointment(
        clinician=appointment_type.clinicians.get(pk=slot.clinician_id),
        location=location,
        appointment_type=appointment_type,
        starts_at=slot.starts_at,
        patient_name="Ada Lovelace",
        patient_email="ada@example.com",
    )
    cancel_by_patient(appointment=appointment)
    [offer] = [offer for offer in offer_freed_times() if offer.entry_id == entry.pk]
    return offer, slot


def test_a_patient_joins_the_waitlist_claims_a_freed_time_and_books_it(
    page, live_server, sample_clinic, assert_accessible, screenshot
):
    entry = join_from_the_day_view(page, live_server, assert_accessible)
    assert (entry.full_name, entry.status) == ("Grace Hopper", WaitlistEntry.Status.WAITING)

    offer, slot = a_time_comes_free(entry)
    page.goto(live_server.url + claim_path(offer))
    assert f"{slot.local_starts_at:%H:%M}" in main_text(page)
    assert_accessible()
    screenshot("waitlist-claim")
    press_on(page, "form [type=submit]")

    page.wait_for_url("**/book/details/")
    assert page.locator("[name=full_name]").input_value() == "Grace Hopper"
    assert_accessible()


def test_a_patient_leaves_the_waitlist_from_the_emailed_link(
    page, live_server, sample_clinic, assert_accessible
):
    entry = join_from_the_day_view(page, live_server, assert_accessible)
    page.goto(live_server.url + leave_path(entry))
    assert_accessible()
    press_on(page, "main form [type=submit]")
    page.get_by_role("heading", name="You have left the waitlist").wait_for()
    assert_accessible()
    # Leaving deletes the entry, name and contact details with it.
    assert not WaitlistEntry.objects.filter(pk=entry.pk).exists()
