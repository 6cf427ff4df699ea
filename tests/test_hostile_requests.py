"""Hostile requests, tried by name: each gets a clear 4xx answer (or is
handled normally), never a server error, and nothing is stored wrongly."""

import pytest
from django.core import mail
from django.test import Client

from consultations.models import ConsultationRequest
from stretches.models import Stretch
from tests.factories import consultation_form_data

pytestmark = pytest.mark.django_db

FORM_URL = "/consultation/"


def test_a_request_body_over_the_limit_is_refused(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = client.post(FORM_URL, consultation_form_data(description="x" * 2_000_000))
    assert response.status_code in {400, 413}
    assert not ConsultationRequest.objects.exists()


def test_ten_thousand_form_fields_are_refused(client):
    data = consultation_form_data() | {f"field{n}": "x" for n in range(10_000)}
    response = client.post(FORM_URL, data)
    assert response.status_code == 400
    assert not ConsultationRequest.objects.exists()


def test_invalid_utf8_is_answered_not_crashed(client):
    body = b"full_name=%FF%FE%FD&description=\xff\xfe&consent=on"
    response = client.post(FORM_URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "There are problems with your request" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/stretches/../../etc/passwd",
        "/stretches/..%2F..%2Fetc%2Fpasswd/",
        "/keywords/%2e%2e/%2e%2e/settings.py/",
        "/guides/%C0%AE%C0%AE/",
        "/stretches/" + "a" * 5000 + "/",
    ],
)
def test_path_traversal_and_nul_bytes_in_slugs_are_404(client, path):
    assert client.get(path).status_code == 404


def test_newlines_in_the_email_address_never_reach_a_mail_header(client, settings):
    settings.CONSULTATION_NOTIFY_EMAILS = ["frontdesk@clinic.example"]
    response = client.post(
        FORM_URL, consultation_form_data(email="ada@example.com\r\nBcc: victim@example.com")
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert mail.outbox == []


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_missing_or_wrong_csrf_token_gets_a_clear_403(token):
    client = Client(enforce_csrf_checks=True)
    client.get(FORM_URL)
    data = consultation_form_data()
    if token:
        data["csrfmiddlewaretoken"] = token
    response = client.post(FORM_URL, data)
    assert response.status_code == 403
    assert "Please send the form again" in response.content.decode()
    assert not ConsultationRequest.objects.exists()


def test_script_in_staff_written_content_is_escaped_on_public_pages(client):
    Stretch.objects.filter(slug="cobra-stretch").update(
        benefit='<script>alert("x")</script><img src=x onerror=alert(1)>'
    )
    for path in ["/", "/stretches/", "/stretches/cobra-stretch/", "/keywords/spine-health/"]:
        html = client.get(path).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html


@pytest.mark.parametrize(
    "query",
    [
        {"q": "Ada\x00"},
        {"status__exact": "new\x00"},
        {"full_name": "\x00"},
    ],
)
def test_nul_bytes_in_admin_searches_and_filters_are_refused(admin_client, query):
    response = admin_client.get("/admin/consultations/consultationrequest/", query)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/stretches/", {"page": "1\x00"}),
        ("/consultation/", {"stretch": "cobra\x00"}),
        ("/stretches/cobra-stretch%00/", {}),
        ("/stretches/%00/", {}),
    ],
)
def test_nul_bytes_in_a_public_address_are_refused(client, path, query):
    assert client.get(path, query).status_code == 400
