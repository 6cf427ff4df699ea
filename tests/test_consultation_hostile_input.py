"""Whatever is typed into the consultation form is stored exactly or refused
with a clear message, shown escaped to staff, and never causes a 500."""

import csv
import io

import pytest
from django.urls import reverse

from consultations.models import ConsultationRequest
from tests.factories import consultation_form_data

pytestmark = pytest.mark.django_db

FORM_URL = "/consultation/"
SCRIPT = '<script>alert("x")</script><b onmouseover="steal()">bold</b>'
FREE_TEXT_FIELDS = ["full_name", "description"]
ALL_TEXT_FIELDS = [
    "full_name",
    "email",
    "phone",
    "description",
    "preferred_contact",
    "preferred_time",
    "pain_duration_weeks",
    "pain_intensity",
    "consent_version",
    "form_token",
    "source_page",
    "website",
]


@pytest.fixture
def stored_with_script(client):
    client.post(FORM_URL, consultation_form_data(full_name=SCRIPT, description=SCRIPT))
    return ConsultationRequest.objects.get()


def test_html_and_script_are_stored_exactly(stored_with_script):
    assert stored_with_script.full_name == SCRIPT
    assert stored_with_script.description == SCRIPT


def test_html_and_script_are_escaped_in_the_admin(admin_client, stored_with_script):
    pages = [
        reverse("admin:consultations_consultationrequest_changelist"),
        reverse("admin:consultations_consultationrequest_change", args=[stored_with_script.pk]),
    ]
    for page in pages:
        html = admin_client.get(page).content.decode()
        assert "<script>alert" not in html
        assert "<b onmouseover" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_html_and_script_stay_inert_text_in_the_csv(admin_client, stored_with_script):
    response = admin_client.post(
        reverse("admin:consultations_consultationrequest_changelist"),
        {"action": "export_csv", "_selected_action": [stored_with_script.pk]},
    )
    (row,) = csv.DictReader(io.StringIO(response.content.decode().removeprefix("\ufeff")))
    assert row["Full name"] == SCRIPT
    assert row["Description"] == SCRIPT


@pytest.mark.parametrize("field", ALL_TEXT_FIELDS)
def test_nul_bytes_in_any_field_are_refused_clearly(client, field):
    response = client.post(FORM_URL, consultation_form_data(**{field: "Ada\x00Lovelace"}))
    assert response.status_code == 200
    assert not ConsultationRequest.objects.exists()
    errors = response.context["form"].errors
    # A hidden field's error is shown above the form.
    assert field in errors or (field in {"form_token", "consent_version", "source_page"} and errors)
    if field in FREE_TEXT_FIELDS:
        assert errors[field] == ["Null characters are not allowed."]


@pytest.mark.parametrize("field", FREE_TEXT_FIELDS)
@pytest.mark.parametrize("character", ["\x07", "\x1b[31m", "\x7f", "\x0b"])
def test_control_characters_are_refused_clearly(client, field, character):
    response = client.post(FORM_URL, consultation_form_data(**{field: f"Ada{character}Lovelace"}))
    assert response.status_code == 200
    assert "Please remove the invisible control characters from this field." in (
        response.content.decode()
    )
    assert not ConsultationRequest.objects.exists()


def test_a_name_on_several_lines_is_refused(client):
    response = client.post(FORM_URL, consultation_form_data(full_name="Ada\r\nBcc: x@y.z"))
    assert response.context["form"].errors == {"full_name": ["Please write this on one line."]}


def test_description_keeps_its_line_breaks(client):
    client.post(FORM_URL, consultation_form_data(description="Line one.\r\nLine two.\tTabbed."))
    assert ConsultationRequest.objects.get().description == "Line one.\r\nLine two.\tTabbed."


@pytest.mark.parametrize(
    "text",
    [
        "Zoë 😀 O’Brien-Łukasz",
        "مريم الحسيني",
        "אבי כהן",
        "Ada \u202egnirts desrever\u202c",
    ],
)
def test_emoji_and_right_to_left_text_are_stored_exactly(client, text):
    response = client.post(FORM_URL, consultation_form_data(full_name=text, description=text))
    assert response.status_code == 302
    stored = ConsultationRequest.objects.get()
    assert (stored.full_name, stored.description) == (text, text)


@pytest.mark.parametrize(
    ("field", "length"),
    [
        ("full_name", 10_000),
        ("email", 300),
        ("phone", 33),
        ("description", 100_000),
        ("source_page", 501),
        ("form_token", 501),
        ("consent_version", 10_000),
    ],
)
def test_overlong_fields_are_refused_not_truncated(client, field, length):
    response = client.post(FORM_URL, consultation_form_data(**{field: "9" * length}))
    assert response.status_code == 200
    assert not ConsultationRequest.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"preferred_days": ["mon", "<script>"]},
        {"emergency_signs": ["bladder", "not-a-sign"]},
        {"pain_intensity": "-1"},
        {"pain_intensity": "1e9"},
        {"pain_duration_weeks": "99999999999999999999"},
        {"consent": "maybe"},
    ],
)
def test_odd_combinations_never_cause_a_server_error(client, data):
    response = client.post(FORM_URL, data | ({} if not data else consultation_form_data() | data))
    assert response.status_code in {200, 302}


@pytest.mark.parametrize(
    "referer", ["http://[", "http://[::1", "http://testserver/\x01", "https://[v1.x]/"]
)
def test_a_malformed_referer_is_ignored_on_get_and_post(client, referer):
    page = client.get("/consultation/", headers={"Referer": referer})
    assert page.status_code == 200
    # The empty form is served from a rendered copy: read the field as sent.
    assert 'name="source_page" value=""' in page.content.decode()
    sent = client.post("/consultation/", consultation_form_data(), headers={"Referer": referer})
    assert sent.status_code == 302
