"""The clinic's phone, email and postal address are site settings, shown in
the footer (as tel: and mailto: links) and on the 429, 503 and privacy pages."""

import pytest
from django.db import OperationalError
from django.test import RequestFactory, override_settings
from django.urls import reverse

from clinic.middleware import DatabaseUnavailableMiddleware
from clinic.models import SiteSettings
from tests.factories import consultation_form_data
from tests.page_text import visible_text

SETTINGS_URL = reverse("admin:clinic_sitesettings_add")


@pytest.fixture
def contact_settings(settings):
    settings.CLINIC_PHONE = "020 7946 0321"
    settings.CLINIC_EMAIL = "hello@clinic.example"
    settings.CLINIC_ADDRESS = "12 High Street\nLeeds LS1 1AA"
    return settings


def page_after_database_failure():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    return middleware.process_exception(RequestFactory().get("/"), OperationalError())


@pytest.mark.django_db
def test_footer_shows_the_contact_settings_until_staff_save_their_own(client, contact_settings):
    html = client.get("/stretches/").content.decode()
    assert '<a href="tel:+442079460321">020 7946 0321</a>' in html
    assert '<a href="mailto:hello@clinic.example">hello@clinic.example</a>' in html
    assert "12 High Street<br>Leeds LS1 1AA" in html


@pytest.mark.django_db
def test_footer_shows_the_saved_contact_details(client, contact_settings):
    SiteSettings.objects.create(
        phone="+44 113 496 0000", email="desk@northside.example", postal_address="1 Mill Lane"
    )
    footer = client.get("/stretches/").content.decode().split('<footer class="site-footer">')[1]
    assert '<a href="tel:+441134960000">+44 113 496 0000</a>' in footer
    assert 'href="mailto:desk@northside.example"' in footer
    assert "1 Mill Lane" in footer
    assert "7946 0321" not in footer


@pytest.mark.django_db
def test_footer_leaves_out_contact_details_that_are_not_set(client, settings):
    settings.CLINIC_PHONE = settings.CLINIC_EMAIL = settings.CLINIC_ADDRESS = ""
    html = client.get("/stretches/").content.decode()
    assert "Contact us" not in html
    assert "tel:" not in html and "mailto:" not in html


@pytest.mark.django_db
def test_staff_edit_the_contact_details_in_the_admin(admin_client):
    response = admin_client.post(
        SETTINGS_URL,
        {
            "clinic_name": "Northside Pain Clinic",
            "phone": "0113 496 0000",
            "email": "desk@northside.example",
            "postal_address": "1 Mill Lane\nLeeds",
        },
    )
    assert response.status_code == 302
    site = SiteSettings.objects.get()
    assert (site.phone, site.phone_uri) == ("0113 496 0000", "tel:+441134960000")
    assert site.postal_address_lines == ["1 Mill Lane", "Leeds"]


def test_a_tel_link_follows_the_phone_region_though_links_are_kept_per_number(settings):
    settings.PHONE_REGION = "GB"
    assert SiteSettings(phone="020 7946 0958").phone_uri == "tel:+442079460958"
    settings.PHONE_REGION = "IE"
    assert SiteSettings(phone="01 234 5678").phone_uri == "tel:+35312345678"
    settings.PHONE_REGION = "GB"
    assert SiteSettings(phone="01 234 5678").phone_uri == ""


@pytest.mark.django_db
def test_a_phone_number_nobody_can_call_is_refused_and_the_rest_kept(admin_client):
    response = admin_client.post(
        SETTINGS_URL,
        {"clinic_name": "Northside Pain Clinic", "phone": "12345", "email": "desk@n.example"},
    )
    assert response.status_code == 200
    assert "Enter a phone number patients can call" in response.content.decode()
    assert 'value="desk@n.example"' in response.content.decode()
    assert not SiteSettings.objects.exists()


@pytest.mark.django_db
def test_over_the_rate_limit_the_form_gives_the_phone_and_email(client, contact_settings):
    contact_settings.CONSULTATION_RATE_LIMIT = "1/h"
    client.post("/consultation/", consultation_form_data())
    response = client.post("/consultation/", consultation_form_data())
    assert response.status_code == 429
    html = response.content.decode()
    main = visible_text(html.split('<main id="main"')[1].split("</main>")[0])
    assert "phone the clinic" not in main
    assert "020 7946 0321" in main and "hello@clinic.example" in main


def test_try_again_page_gives_the_phone_from_settings_without_the_database(contact_settings):
    # No database mark: any query here would fail the test.
    html = page_after_database_failure().content.decode()
    assert '<a href="tel:+442079460321">020 7946 0321</a>' in html
    assert "hello@clinic.example" in html


def test_try_again_page_gives_the_saved_phone_from_the_cache(contact_settings):
    from django.core.cache import cache

    cache.set(SiteSettings.CACHE_KEY, SiteSettings(clinic_name="Northside", phone="0113 496 0000"))
    html = page_after_database_failure().content.decode()
    assert "0113 496 0000" in html and "Northside" in html


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 1: the cache is down too.
            "LOCATION": "redis://127.0.0.1:1/5",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
)
def test_try_again_page_renders_when_the_cache_is_down_as_well(contact_settings):
    response = page_after_database_failure()
    assert response.status_code == 503
    assert "020 7946 0321" in response.content.decode()
