"""A patient asks for a consultation: the form, its checks, and what is stored."""

import re
import time

import pytest
from django.urls import reverse

from consultations import consent
from consultations.forms import issue_form_token
from consultations.models import ConsultationRequest
from consultations.red_flags import Urgency
from stretches.models import Stretch
from tests.factories import consultation_form_data

pytestmark = pytest.mark.django_db

FORM_URL = "/consultation/"
THANKS_URL = "/consultation/thanks/"


def test_form_page_shows_every_part_of_the_request(client):
    html = client.get(FORM_URL).content.decode()
    for name in [
        "full_name",
        "email",
        "phone",
        "preferred_contact",
        "preferred_days",
        "preferred_time",
        "pain_duration_weeks",
        "pain_intensity",
        "description",
        "stretch",
        "consent",
        "emergency_signs",
        "urgent_signs",
    ]:
        assert f'name="{name}"' in html, name
    assert 'href="/consultation/privacy/"' in html
    assert "csrfmiddlewaretoken" in html


def test_warning_signs_come_before_the_rest_of_the_form(client):
    html = client.get(FORM_URL).content.decode()
    assert html.index('name="emergency_signs"') < html.index('name="full_name"')
    assert html.index("call 999") < html.index('name="full_name"')


def test_emergency_number_is_a_setting(client, settings):
    settings.EMERGENCY_NUMBER = "112"
    assert "call 112" in client.get(FORM_URL).content.decode()


def test_stretch_page_link_prefills_the_stretch(client):
    # The stretch page leads to the booking, whose "call me" link carries the stretch.
    stretch_page = client.get("/stretches/cobra-stretch/").content.decode()
    assert 'href="/book/?stretch=cobra-stretch"' in stretch_page
    booking = client.get("/book/", {"stretch": "cobra-stretch"}).content.decode()
    assert 'href="/consultation/?stretch=cobra-stretch"' in booking
    form = client.get(FORM_URL, {"stretch": "cobra-stretch"}).content.decode()
    assert '<input type="hidden" name="stretch" value="cobra-stretch"' in form
    assert "You are asking about the <strong>Cobra Stretch</strong>" in form


@pytest.mark.parametrize("slug", ["no-such-stretch", "../../etc/passwd", "x" * 600, "<b>x</b>"])
def test_unknown_or_hostile_stretch_in_the_link_is_ignored(client, slug):
    response = client.get(FORM_URL, {"stretch": slug})
    assert response.status_code == 200
    assert "You are asking about the" not in response.content.decode()


def test_valid_request_is_stored_and_redirects_to_thanks(client):
    response = client.post(FORM_URL, consultation_form_data(stretch="cobra-stretch"))
    assert response.status_code == 302
    assert response["Location"] == THANKS_URL
    stored = ConsultationRequest.objects.get()
    assert stored.full_name == "Ada Lovelace"
    assert stored.email == "ada@example.com"
    assert stored.phone == "+442079460958"
    assert stored.preferred_days == ["mon", "wed"]
    assert stored.preferred_time == "morning"
    assert (stored.pain_duration_weeks, stored.pain_intensity) == (6, 6)
    assert stored.source_stretch == Stretch.objects.get(slug="cobra-stretch")
    assert stored.status == ConsultationRequest.Status.NEW
    assert stored.urgency == Urgency.ROUTINE


def test_the_whole_flow_from_stretch_page_to_thanks_page(client, settings):
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    page = client.get(
        FORM_URL + "?stretch=knee-to-chest-stretch",
        HTTP_REFERER="http://testserver/stretches/knee-to-chest-stretch/",
    ).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    source = re.search(r'name="source_page" value="([^"]*)"', page).group(1)
    data = consultation_form_data(
        form_token=token, source_page=source, stretch="knee-to-chest-stretch"
    )
    response = client.post(FORM_URL, data, follow=True)
    assert response.redirect_chain == [(THANKS_URL, 302)]
    assert "What happens next" in response.content.decode()
    stored = ConsultationRequest.objects.get()
    assert stored.source_page == "/stretches/knee-to-chest-stretch/"
    assert stored.source_stretch.slug == "knee-to-chest-stretch"


def test_consent_is_kept_as_proof(client):
    client.post(FORM_URL + "?stretch=cobra-stretch", consultation_form_data())
    stored = ConsultationRequest.objects.get()
    assert stored.consent_version == consent.CURRENT_CONSENT_VERSION
    assert stored.consent_text == consent.wording()
    assert stored.consent_given_at is not None
    assert stored.consent_page == "/consultation/?stretch=cobra-stretch"


def test_the_consent_wording_shown_is_the_wording_stored(client):
    html = client.get(FORM_URL).content.decode()
    assert consent.wording() in html


def test_missing_consent_is_refused_with_a_clear_message_and_input_kept(client):
    response = client.post(FORM_URL, consultation_form_data(consent=None))
    assert response.status_code == 200
    assert not ConsultationRequest.objects.exists()
    html = response.content.decode()
    assert "Please tick this box so that we can store your request and contact you." in html
    assert 'value="Ada Lovelace"' in html
    assert "worse after sitting at my desk" in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "Please tell us your name."),
        ("full_name", "A" * 151, "at most 150 characters (it has 151)"),
        ("email", "not-an-email", "Please enter an email address like name@example.com."),
        ("phone", "12", "Please enter a phone number we can call"),
        ("preferred_contact", "", "Please choose how we should contact you."),
        ("preferred_contact", "pigeon", "Select a valid choice."),
        ("pain_duration_weeks", "", "Please choose how long you have had this pain."),
        ("pain_intensity", "", "Please choose a number from 0 to 10."),
        ("pain_intensity", "11", "Select a valid choice."),
        ("description", "", "Please tell us a little about your back pain."),
        ("description", "x" * 4001, "at most 4000 characters (it has 4001)"),
        ("preferred_days", ["sun"], "Select a valid choice."),
    ],
)
def test_each_wrong_field_gets_its_own_message_and_the_rest_is_kept(client, field, value, message):
    response = client.post(FORM_URL, consultation_form_data(**{field: value}))
    assert response.status_code == 200
    assert not ConsultationRequest.objects.exists()
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    if field != "full_name":
        assert 'value="Ada Lovelace"' in html
    if field != "description":
        assert "worse after sitting at my desk" in html


@pytest.mark.parametrize(
    "slug", ["no-such-stretch", "../../etc/passwd", "<b>x</b>", "cobra-stretch\x00"]
)
def test_a_stretch_that_is_gone_or_made_up_never_blocks_the_request(client, slug):
    response = client.post(FORM_URL, consultation_form_data(stretch=slug))
    assert response.status_code == 302
    assert ConsultationRequest.objects.get().source_stretch is None


def test_a_stretch_unpublished_while_the_patient_writes_never_blocks_the_request(client):
    client.get(FORM_URL, {"stretch": "cobra-stretch"})
    Stretch.objects.filter(slug="cobra-stretch").update(published=False)
    response = client.post(FORM_URL, consultation_form_data(stretch="cobra-stretch"))
    assert response.status_code == 302
    assert ConsultationRequest.objects.get().source_stretch is None


def test_the_chosen_way_of_contact_must_be_given(client):
    response = client.post(FORM_URL, consultation_form_data(preferred_contact="phone", phone=""))
    assert response.context["form"].errors == {
        "phone": ["Please give your phone number, so we can call you."]
    }
    response = client.post(FORM_URL, consultation_form_data(preferred_contact="email", email=""))
    assert response.context["form"].errors == {
        "email": ["Please give your email address, so we can email you."]
    }


def test_phone_only_request_needs_no_email(client):
    response = client.post(
        FORM_URL, consultation_form_data(preferred_contact="phone", email="", phone="07911 123456")
    )
    assert response.status_code == 302
    assert ConsultationRequest.objects.get().phone == "+447911123456"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("020 7946 0958", "+442079460958"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("+1 415-555-0132", "+14155550132"),
    ],
)
def test_phone_numbers_are_normalised(client, typed, stored):
    client.post(FORM_URL, consultation_form_data(phone=typed))
    assert ConsultationRequest.objects.get().phone == stored


def test_emergency_answers_are_marked_urgent_and_advised_again_on_thanks(client):
    response = client.post(
        FORM_URL, consultation_form_data(emergency_signs=["bladder"]), follow=True
    )
    assert response.redirect_chain == [(THANKS_URL + "?advice=emergency", 302)]
    assert "call 999 now" in response.content.decode()
    stored = ConsultationRequest.objects.get()
    assert stored.urgency == Urgency.EMERGENCY
    assert stored.red_flags == ["bladder"]


def test_urgent_answers_advise_same_day_care(client):
    response = client.post(
        FORM_URL, consultation_form_data(urgent_signs=["fever", "cancer"]), follow=True
    )
    assert "see a doctor today" in response.content.decode()
    assert ConsultationRequest.objects.get().urgency == Urgency.URGENT


def test_refreshing_or_double_clicking_stores_one_request(client):
    data = consultation_form_data()
    first = client.post(FORM_URL, data)
    second = client.post(FORM_URL, data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == THANKS_URL
    assert ConsultationRequest.objects.count() == 1
    assert client.get(THANKS_URL).status_code == 200
    assert ConsultationRequest.objects.count() == 1


def test_two_separate_forms_from_one_patient_are_two_requests_flagged(client):
    client.post(FORM_URL, consultation_form_data())
    client.post(FORM_URL, consultation_form_data())
    first, second = ConsultationRequest.objects.order_by("created_at")
    assert not first.possible_duplicate
    assert second.possible_duplicate


def test_honeypot_gets_a_normal_answer_and_nothing_is_stored(client):
    response = client.post(FORM_URL, consultation_form_data(website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == THANKS_URL
    assert not ConsultationRequest.objects.exists()


def test_form_sent_faster_than_a_person_could_is_dropped_quietly(client):
    response = client.post(FORM_URL, consultation_form_data(form_token=issue_form_token()))
    assert response.status_code == 302
    assert not ConsultationRequest.objects.exists()


def test_a_person_taking_their_time_is_never_blocked(client, settings):
    settings.CONSULTATION_MIN_FILL_SECONDS = 3
    token = issue_form_token(shown=time.time() - 3.5)
    client.post(FORM_URL, consultation_form_data(form_token=token))
    assert ConsultationRequest.objects.count() == 1


@pytest.mark.parametrize("token", ["", "forged-token", "eyJpZCI6IjEifQ:abc:def"])
def test_missing_or_forged_form_token_asks_to_send_again_keeping_input(client, token):
    response = client.post(FORM_URL, consultation_form_data(form_token=token))
    assert response.status_code == 200
    assert not ConsultationRequest.objects.exists()
    html = response.content.decode()
    assert "This form had expired. Please check your details and send it again." in html
    assert 'value="Ada Lovelace"' in html
    new_token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    resent = client.post(FORM_URL, consultation_form_data(form_token=new_token))
    assert resent.status_code == 302
    assert ConsultationRequest.objects.count() == 1


def test_thanks_page_says_what_happens_next(client):
    html = client.get(THANKS_URL).content.decode()
    assert "What happens next" in html
    assert "2 working days" in html


def test_thanks_page_ignores_unknown_advice(client):
    html = client.get(THANKS_URL, {"advice": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert 'role="alert"' not in html


def test_privacy_notice_says_what_why_how_long_and_how_to_delete(client, settings):
    settings.CONSULTATION_RETENTION_MONTHS = 18
    html = client.get(reverse("consultations:privacy")).content.decode()
    for heading in ["What we store", "Why", "How long we keep it", "Your rights"]:
        assert heading in html
    assert "up to 18 months" in html
