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
