"""The clinicians' and locations' pages in a real browser, on a phone and on a
desktop: each passes axe-core's WCAG 2.1 AA rules, fits the screen and has one h1."""

import io

import pytest
from django.core.management import call_command

from practice.models import Clinician, Location

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_every_clinician_and_location_page_is_accessible(
    page, live_server, assert_accessible, screenshot
):
    call_command("load_sample_clinic", stdout=io.StringIO())
    paths = [
        "/clinicians/",
        *(clinician.get_absolute_url() for clinician in Clinician.objects.active()),
        *(location.get_absolute_url() for location in Location.objects.active()),
    ]
    assert len(paths) == 8, "the sample practice is loaded"
    for path in paths:
        response = page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert response.status == 200
        assert page.locator("h1").count() == 1
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        assert_accessible()
        screenshot("practice" + path.rstrip("/").replace("/", "-"))
