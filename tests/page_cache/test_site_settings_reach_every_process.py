"""Site settings saved in the admin reach every process's pages at once, even
where each process keeps its own cache: the cached copy is keyed by the
content version, which the save changes in the database every process reads."""

import concurrent.futures
import re

import pytest

from clinic.models import ContentVersion, SiteSettings
from tests.live_site import Patient, manage, running_site, site_database

pytestmark = pytest.mark.django_db


def test_a_copy_cached_before_another_process_saved_is_never_used(client):
    SiteSettings.objects.create(clinic_name="Before")
    assert SiteSettings.current().clinic_name == "Before"
    assert "Before" in client.get("/stretches/").content.decode()
    # What another process's save leaves behind here: the row and the version
    # changed in the database, and nothing in this process's cache.
    SiteSettings.objects.filter(pk=1).update(clinic_name="After")
    ContentVersion.bump()
    assert SiteSettings.current().clinic_name == "After"
    html = client.get("/stretches/").content.decode()
    assert "After" in html
    assert "Before" not in html


def test_saving_the_settings_changes_the_content_version():
    site = SiteSettings.objects.create(clinic_name="Before")
    version = ContentVersion.current()
    site.clinic_name = "After"
    site.save()
    assert ContentVersion.current() != version


def clinic_name_shown(site, path):
    status, _, html = Patient(site.port).get(path)
    assert status == 200
    return re.search(r'<span class="brand-name">([^<]*)</span>', html).group(1)


@pytest.mark.server
def test_a_name_saved_in_one_process_shows_on_the_next_page_of_every_other(tmp_path):
    """Two gunicorn servers on one database, each with its own memory cache,
    both showing (and caching) the old name; the name is saved by a third."""
    pages = ["/", "/stretches/", "/stretches/cobra-stretch/"]
    with (
        site_database(tmp_path) as database,
        running_site(database.env, tmp_path, workers=1) as first,
        running_site(database.env, tmp_path, workers=1) as second,
    ):
        for site in (first, second):
            for path in pages * 2:  # rendered, then from the cache
                assert clinic_name_shown(site, path) == "Back Pain Clinic"
        manage(
            "shell",
            "-c",
            "from clinic.models import SiteSettings; "
            "SiteSettings.objects.create(clinic_name='Spine Care Clinic')",
            env=database.env,
        )
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            shown = list(
                pool.map(
                    lambda args: clinic_name_shown(*args),
                    [(site, path) for site in (first, second) for path in pages * 3],
                )
            )
        assert set(shown) == {"Spine Care Clinic"}
