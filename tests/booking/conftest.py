import pytest


@pytest.fixture(autouse=True)
def london_booking_rules(settings):
    """The rules the tests are written for, whatever the environment says."""
    settings.TIME_ZONE = "Europe/London"
    settings.BOOKING_MINIMUM_NOTICE_MINUTES = 120
    settings.BOOKING_HORIZON_WEEKS = 8
    settings.BOOKING_SLOT_STEP_MINUTES = 15
    settings.BOOKING_HOLD_MINUTES = 10
    settings.BOOKING_CONFIRMATION = "automatic"


@pytest.fixture
def smtp(settings):
    """A real SMTP server the outbox sends to."""
    from tests.outbox.conftest import use_smtp
    from tests.outbox.smtp_sink import smtp_sink

    with smtp_sink() as (sink, port):
        use_smtp(settings, port)
        yield sink


@pytest.fixture
def diary():
    """Dr Grace Hopper, taking online bookings every day 9:00–17:00 at one
    location (test files with a diary of another shape define their own)."""
    from tests.booking.builders import (
        add_hours,
        make_appointment_type,
        make_clinician,
        make_location,
    )
    from tests.booking.flow import EVERY_DAY

    location = make_location()
    clinician = make_clinician(name="Dr Grace Hopper", slug="grace-hopper")
    add_hours(clinician, location, EVERY_DAY, ("09:00", "17:00"))
    appointment_type = make_appointment_type(clinicians=[clinician], bookable_online=True)
    return location, clinician, appointment_type
