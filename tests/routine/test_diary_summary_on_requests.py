"""A patient may add their pain diary's summary to a consultation request:
it is stored with the request exactly as sent, shown to front-desk staff
read-only, and never put in an email or shown to content editors."""

import pytest
from django.core import mail

from consultations.models import ConsultationRequest
from consultations.outbox import deliver_due_messages
from tests.factories import consultation_form_data, make_consultation
from tests.test_consultation_admin import change_url, editor_client, front_desk_client  # noqa: F401

pytestmark = pytest.mark.django_db

FORM_URL = "/consultation/"
SUMMARY = (
    "Pain diary, last 14 days (0 = no pain, 10 = worst), before → after the routine:\n"
    "2026-11-28: 4 → 5\n"
    "2026-11-29: 4 → 6\n"
    "The diary suggested booking because:\n"
    "- Your pain was worse after the routine than before it in your last two sessions."
)


def test_the_form_offers_the_diary_only_through_the_patients_choice(client):
    html = client.get(FORM_URL).content.decode()
    assert "data-diary-attach hidden" in html
    assert 'id="diary-summary-preview"' in html
    assert 'name="diary_summary"' in html
    assert "readonly" in html[html.index('name="diary_summary"') - 200 :][:400]


def test_the_diary_summary_sent_is_stored_word_for_word(client):
    response = client.post(FORM_URL, consultation_form_data(diary_summary=SUMMARY))
    assert response.status_code == 302
    assert ConsultationRequest.objects.get().diary_summary == SUMMARY


def test_a_request_without_the_diary_stores_none(client):
    client.post(FORM_URL, consultation_form_data())
    assert ConsultationRequest.objects.get().diary_summary == ""


def test_a_summary_too_long_is_refused_clearly_and_the_rest_is_kept(client):
    response = client.post(FORM_URL, consultation_form_data(diary_summary="x" * 2001))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The pain diary summary is too long" in html
    assert "Ada Lovelace" in html
    assert not ConsultationRequest.objects.exists()


def test_control_characters_in_the_summary_are_refused(client):
    response = client.post(FORM_URL, consultation_form_data(diary_summary="4 → 5\x1b[2J"))
    assert response.status_code == 200
    assert "invisible control characters" in response.content.decode()
    assert not ConsultationRequest.objects.exists()


def test_the_summary_never_goes_into_an_email(client, settings):
    settings.CONSULTATION_NOTIFY_EMAILS = ["desk@clinic.example"]
    client.post(FORM_URL, consultation_form_data(diary_summary=SUMMARY))
    deliver_due_messages()  # what the worker does
    assert len(mail.outbox) >= 1
    for message in mail.outbox:
        assert "Pain diary" not in message.body
        assert "4 → 6" not in message.body


def test_front_desk_staff_read_the_summary_but_cannot_change_it(front_desk_client):  # noqa: F811
    consultation = make_consultation(diary_summary=SUMMARY)
    html = front_desk_client.get(change_url(consultation)).content.decode()
    assert "Pain diary summary" in html
    assert "2026-11-29: 4 → 6" in html
    assert 'name="diary_summary"' not in html


def test_content_editors_never_see_the_summary(editor_client):  # noqa: F811
    consultation = make_consultation(diary_summary=SUMMARY)
    assert editor_client.get(change_url(consultation)).status_code == 403


def test_the_summary_is_stored_with_the_line_breaks_the_patient_saw(client):
    sent = SUMMARY.replace("\n", "\r\n")  # as browsers send a text box
    client.post(FORM_URL, consultation_form_data(diary_summary=sent))
    assert ConsultationRequest.objects.get().diary_summary == SUMMARY
