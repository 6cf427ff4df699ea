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
