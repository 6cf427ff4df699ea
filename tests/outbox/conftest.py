import pytest

from tests.outbox.smtp_sink import smtp_sink

STAFF = ["frontdesk@clinic.example", "lead@clinic.example"]


@pytest.fixture
def staff_recipients(settings):
    settings.CONSULTATION_NOTIFY_EMAILS = STAFF
    return STAFF


def use_smtp(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def refusing_smtp(settings):
    """A real SMTP server that refuses every message."""
    with smtp_sink(refuse_first=1000) as (sink, port):
        use_smtp(settings, port)
        yield sink


@pytest.fixture
def accepting_smtp(settings):
    with smtp_sink() as (sink, port):
        use_smtp(settings, port)
        yield sink
