"""The emergency advice has one reviewed source (consultations/clinical_wording.py),
and every place that gives it shows that same text."""

from pathlib import Path

import pytest
from django.core import mail
from django.db import OperationalError
from django.test import RequestFactory
from django.utils.html import escape

from clinic.middleware import DatabaseUnavailableMiddleware
from consultations import clinical_wording
from consultations.outbox import deliver_due_messages
from tests.factories import consultation_form_data

ROOT = Path(__file__).resolve().parent.parent
SOURCE_FOLDERS = ["clinic", "consultations", "stretches", "templates", "static"]
SOURCE_SUFFIXES = {".py", ".html", ".txt", ".js"}

# Phrases of the emergency advice that a copy of it would carry.
EMERGENCY_PHRASES = ["emergency department", "drive yourself", "bottom or genitals"]


def source_files():
    for folder in SOURCE_FOLDERS:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in SOURCE_SUFFIXES and "migrations" not in path.parts:
                yield path


@pytest.mark.parametrize("phrase", EMERGENCY_PHRASES)
def test_the_emergency_advice_is_written_once_in_the_source(phrase):
    found = [
        (path.relative_to(ROOT).as_posix(), text.lower().count(phrase))
        for path in source_files()
        if phrase in (text := " ".join(path.read_text(encoding="utf-8").split())).lower()
    ]
    assert found == [("consultations/clinical_wording.py", 1)]


@pytest.fixture
def emergency_number(settings):
    settings.EMERGENCY_NUMBER = "112"
    return settings.EMERGENCY_NUMBER


@pytest.fixture
def advice(emergency_number):
    """The reviewed advice as pages show it."""
    text = clinical_wording.emergency_advice()
    assert "call 112 now" in text
    return escape(text)


def shown_once(advice, html):
    return " ".join(html.split()).count(advice) == 1


@pytest.mark.django_db
def test_the_form_shows_the_emergency_advice(client, advice):
    assert shown_once(advice, client.get("/consultation/").content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?advice=emergency", "?advice=urgent", "?advice=discuss", ""])
def test_the_thanks_page_shows_the_emergency_advice_once(client, advice, query):
    assert shown_once(advice, client.get("/consultation/thanks/" + query).content.decode())


@pytest.mark.django_db
def test_the_rate_limited_form_shows_the_emergency_advice_once(client, settings, advice):
    settings.CONSULTATION_RATE_LIMIT = "1/h"
    client.post("/consultation/", consultation_form_data())
    response = client.post("/consultation/", consultation_form_data())
    assert response.status_code == 429
    assert shown_once(advice, response.content.decode())


def test_the_try_again_page_shows_the_emergency_advice_without_the_database(advice):
    # No database mark: any query here would fail the test.
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    response = middleware.process_exception(RequestFactory().get("/"), OperationalError())
    assert response.status_code == 503
    assert shown_once(advice, response.content.decode())


@pytest.mark.django_db
def test_the_patient_acknowledgement_email_gives_the_emergency_advice(client, emergency_number):
    client.post("/consultation/", consultation_form_data())
    deliver_due_messages()
    (acknowledgement,) = mail.outbox
    assert " ".join(acknowledgement.body.split()).count(clinical_wording.emergency_advice()) == 1


@pytest.mark.django_db
def test_same_day_advice_leaves_out_the_advice_line_where_there_is_none(client, settings):
    settings.URGENT_ADVICE_NUMBER = ""
    html = client.get("/consultation/thanks/?advice=urgent").content.decode()
    assert "contact your GP. Do not wait" in html
    settings.URGENT_ADVICE_NUMBER = "111"
    html = client.get("/consultation/thanks/?advice=urgent").content.decode()
    assert "contact your GP or call 111. Do not wait" in html
