"""The page nginx shows when no app server answers (deploy/nginx/clinic.conf),
written at deploy by `manage.py write_unavailable_page` and again whenever
staff change the details it gives."""

import logging

import pytest
from django.core.management import call_command
from django.urls import reverse

from clinic.models import SiteSettings
from practice.models import Location

pytestmark = pytest.mark.django_db


@pytest.fixture
def static_root(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    # Written without collected files: the page links the stylesheet by its plain name.
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
    return settings.STATIC_ROOT


def test_the_page_asks_to_send_again_and_says_that_does_not_make_a_second_one(static_root):
    call_command("write_unavailable_page")
    page = (static_root / "unavailable.html").read_text()
    assert "Please try again in a moment" in page
    assert "it may not have reached us" in page
    assert "sending it again does not make a second one" in page
    # Unlike Django's own 503 page, which knows nothing was stored.
    assert "has <strong>not</strong> been sent yet" not in page
    assert "999" in page  # the emergency advice, from its one source


def test_the_page_gives_the_main_locations_phone_else_the_site_settings(static_root):
    site = SiteSettings.current()
    site.phone = "020 7946 0999"
    site.save()
    call_command("write_unavailable_page")
    assert ">020 7946 0999</a>" in (static_root / "unavailable.html").read_text()

    Location.objects.create(
        name="Main clinic", slug="main", is_main=True, phone="020 7946 0123", address="1 Road"
    )
    call_command("write_unavailable_page")
    page = (static_root / "unavailable.html").read_text()
    assert ">020 7946 0123</a>" in page
    assert "020 7946 0999" not in page


def test_writing_it_again_replaces_the_page_whole(static_root):
    call_command("write_unavailable_page")
    call_command("write_unavailable_page")
    assert [path.name for path in static_root.iterdir()] == ["unavailable.html"]


@pytest.fixture
def deployed_page(static_root):
    call_command("write_unavailable_page")
    return static_root / "unavailable.html"


@pytest.fixture
def save_site_phone(django_capture_on_commit_callbacks):
    """Saves a new phone in the site settings, running what waits for the commit."""

    def save(phone):
        site = SiteSettings.current()
        site.phone = phone
        with django_capture_on_commit_callbacks(execute=True):
            site.save()

    return save


def test_staff_changing_the_clinics_phone_in_the_admin_changes_the_deployed_page(
    admin_client, deployed_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:clinic_sitesettings_add"),
            {"clinic_name": "Northside Pain Clinic", "phone": "0113 496 0000"},
        )
    assert response.status_code == 302
    page = deployed_page.read_text()
    assert '<a href="tel:+441134960000">0113 496 0000</a>' in page
    assert "Northside Pain Clinic" in page


def test_a_new_main_location_and_its_removal_change_the_deployed_page(
    deployed_page, save_site_phone, django_capture_on_commit_callbacks
):
    save_site_phone("020 7946 0999")
    assert ">020 7946 0999</a>" in deployed_page.read_text()
    with django_capture_on_commit_callbacks(execute=True):
        main = Location.objects.create(
            name="Main clinic", slug="main", is_main=True, phone="020 7946 0123", address="1 Road"
        )
    assert ">020 7946 0123</a>" in deployed_page.read_text()

    with django_capture_on_commit_callbacks(execute=True):
        main.delete()
    page = deployed_page.read_text()
    assert ">020 7946 0999</a>" in page
    assert "020 7946 0123" not in page


def test_a_change_writes_no_page_where_none_was_deployed(static_root, save_site_phone):
    save_site_phone("020 7946 0999")
    assert not static_root.exists() or not any(static_root.iterdir())


def test_a_page_that_cannot_be_written_is_logged_and_the_change_still_saved(
    static_root, save_site_phone, caplog
):
    # Something else stands where the page goes: writing it fails.
    (static_root / "unavailable.html").mkdir(parents=True)
    with caplog.at_level(logging.ERROR):
        save_site_phone("020 7946 0999")
    assert SiteSettings.objects.get().phone == "020 7946 0999"
    assert "Could not rewrite the outage page" in caplog.text
    assert [path.name for path in static_root.iterdir()] == ["unavailable.html"]  # no draft left
