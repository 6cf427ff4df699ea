"""The privacy notice names the data controller and how to reach it, the
lawful basis for using health data, how long data is kept, the patient's
rights and the regulator they can complain to."""

import pytest
from django.urls import reverse

from clinic.models import SiteSettings
from tests.page_text import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(client):
    def read():
        html = client.get(reverse("consultations:privacy")).content.decode()
        return " ".join(visible_text(html.split('<main id="main"')[1]).split())

    return read


def test_names_the_clinic_as_controller_with_its_address_and_email(notice):
    SiteSettings.objects.create(
        clinic_name="Northside Pain Clinic",
        phone="0113 496 0000",
        email="privacy@northside.example",
        postal_address="1 Mill Lane\nLeeds LS2 7AB",
    )
    text = notice()
    assert "Northside Pain Clinic decides how your information is used" in text
    assert "we are its controller" in text
    assert "Northside Pain Clinic 1 Mill Lane Leeds LS2 7AB" in text
    assert "privacy@northside.example" in text


def test_gives_the_lawful_basis_for_contact_and_health_details(notice):
    text = notice()
    assert "(Article 6(1)(b) of the UK GDPR)" in text
    assert "Your answers about your health are a special category of information" in text
    assert "(Article 9(2)(h) of the UK GDPR)" in text


def test_says_how_long_requests_are_kept(notice, settings):
    settings.CONSULTATION_RETENTION_MONTHS = 18
    assert "We keep a request for up to 18 months" in notice()


def test_names_the_rights_to_a_copy_correction_and_deletion(notice):
    text = notice()
    assert (
        "a copy of what we hold about you, to correct anything that is wrong, or to delete it"
        in (text)
    )


def test_names_the_uk_regulator_by_default(notice):
    text = notice()
    assert "the right to complain to the Information Commissioner’s Office (ICO)" in text
    assert "https://ico.org.uk/" in text


def test_the_law_and_regulator_are_settings_for_other_countries(notice, settings):
    settings.DATA_PROTECTION_LAW = "GDPR"
    settings.DATA_PROTECTION_REGULATOR = "the Data Protection Commission"
    settings.DATA_PROTECTION_REGULATOR_URL = "https://www.dataprotection.ie/"
    text = notice()
    assert "(Article 9(2)(h) of the GDPR)" in text
    assert "complain to the Data Protection Commission" in text
    assert "https://www.dataprotection.ie/" in text
    assert "ICO" not in text


def test_without_contact_details_it_says_where_to_ask(notice, settings):
    settings.CLINIC_PHONE = settings.CLINIC_EMAIL = settings.CLINIC_ADDRESS = ""
    assert "Please ask at the clinic for our contact details" in notice()
