"""The footer shows the main location's phone and address when staff have
marked one, the site settings' contact details otherwise; cached pages follow
every edit of the main location."""

import pytest

from tests.booking.builders import make_location

pytestmark = pytest.mark.django_db


def footer(client, path="/stretches/"):
    return client.get(path).text.split('<footer class="site-footer">')[1]


@pytest.fixture
def site_contact(settings):
    settings.CLINIC_PHONE = "020 7946 0321"
    settings.CLINIC_EMAIL = "hello@clinic.example"
    settings.CLINIC_ADDRESS = "PO Box 1\nLondon"


@pytest.fixture
def main_location():
    return make_location(
        name="Islington clinic",
        is_main=True,
        address="12 Upper Street\nLondon\nN1 0PQ",
        phone="020 7946 0123",
        email="islington@clinic.example",
    )


def test_without_a_main_location_the_footer_shows_the_site_settings(client, site_contact):
    make_location(name="Richmond clinic", phone="020 7946 0456")  # not the main one
    html = footer(client)
    assert '<a href="tel:+442079460321">020 7946 0321</a>' in html
    assert "PO Box 1<br>London" in html
    assert "7946 0456" not in html


def test_the_footer_shows_the_main_locations_phone_and_address(client, site_contact, main_location):
    html = footer(client)
    assert '<a href="tel:+442079460123">020 7946 0123</a>' in html
    assert "12 Upper Street<br>London<br>N1 0PQ" in html
    assert "mailto:islington@clinic.example" in html
    assert "7946 0321" not in html and "PO Box 1" not in html


def test_what_the_main_location_leaves_blank_comes_from_the_site_settings(client, site_contact):
    make_location(is_main=True, address="1 Mill Lane", phone="", email="")
    html = footer(client)
    assert "1 Mill Lane" in html
    assert "020 7946 0321" in html and "mailto:hello@clinic.example" in html


def test_an_inactive_main_location_is_not_shown(client, site_contact, main_location):
    main_location.is_active = False
    main_location.save()
    assert "020 7946 0321" in footer(client)


def test_editing_the_main_location_reaches_cached_pages_at_once(
    client, site_contact, main_location, django_assert_num_queries
):
    for path in ("/", "/stretches/"):
        assert "020 7946 0123" in footer(client, path)
        with django_assert_num_queries(1):  # the content version: served from the cache
            assert "020 7946 0123" in footer(client, path)
    main_location.phone = "020 7946 0999"
    main_location.save()
    for path in ("/", "/stretches/"):
        assert "020 7946 0999" in footer(client, path)


def test_moving_the_main_location_reaches_cached_pages_at_once(client, site_contact, main_location):
    assert "12 Upper Street" in footer(client)
    main_location.is_main = False
    main_location.save()
    richmond = make_location(name="Richmond clinic", address="4 Hill Rise\nRichmond")
    richmond.is_main = True
    richmond.save()
    html = footer(client)
    assert "4 Hill Rise<br>Richmond" in html
    assert "12 Upper Street" not in html


def test_the_privacy_notice_names_the_same_contact_details(client, main_location):
    page = client.get("/consultation/privacy/")
    assert "12 Upper Street" in page.text.split('<footer class="site-footer">')[0]
