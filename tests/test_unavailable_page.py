"""The page nginx shows when no app server answers (deploy/nginx/clinic.conf),
written at deploy by `manage.py write_unavailable_page`."""

import pytest
from django.core.management import call_command

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
