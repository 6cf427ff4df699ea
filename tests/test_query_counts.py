"""Public pages cost a fixed number of queries however many stretches there
are: steps and keywords are prefetched, never fetched per stretch (N+1), and
once a page is cached it costs one query, the content version.

The counts, first request / every later one until the content changes:
  /                       9 / 1  version, guide, sections, points, stretches, their places
                                 in the guide, steps, keyword links, keywords
  /guides/<slug>/         9 / 1  the same
  /guides/                2 / 1  version, published guides (no sections or stretches)
  /stretches/             3 / 1  version, count, page of stretches (summaries: no steps)
  /stretches/<slug>/      4 / 1  version, stretch, steps, keywords
  /keywords/<slug>/       4 / 1  version, keyword, count, page of stretches

The site settings record and the main location (the footer's contact
details) are cached under the content version, so the first page rendered
after any change reads each once more (two queries); the counts below are a
warm site's.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.models import SiteSettings
from practice.contact import clinic_contact
from stretches.models import Guide

pytestmark = pytest.mark.django_db

PAGES = {
    "/": 9,
    "/guides/daily-stretches-for-back-pain/": 9,
    "/guides/": 2,
    "/stretches/": 3,
    "/stretches/cobra-stretch/": 4,
    "/keywords/chronic-pain/": 4,
}


@pytest.fixture(autouse=True)
def site_settings_cached():
    """The counts below are a warm site's: the site settings record and the
    main location come from the cache (see
    test_site_settings_cost_one_query_then_only_the_content_version)."""
    clinic_contact()


def queries_for(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def grow_to_1000_stretches_and_100_more_keywords():
    call_command(
        "add_sample_stretches",
        stretches=993,
        keywords=100,
        guide=Guide.objects.homepage().slug,
        stdout=io.StringIO(),
    )
    clinic_contact()  # warm again at the new content version


@pytest.mark.parametrize(("path", "queries"), PAGES.items())
def test_page_takes_a_fixed_number_of_queries_then_one_once_cached(
    client, django_assert_num_queries, path, queries
):
    with django_assert_num_queries(queries):
        client.get(path)
    with django_assert_num_queries(1):
        client.get(path)


@pytest.mark.parametrize("path", PAGES)
def test_page_costs_the_same_queries_with_7_and_1000_stretches(client, path):
    with_seven = queries_for(client, path)
    grow_to_1000_stretches_and_100_more_keywords()
    assert queries_for(client, path) == with_seven
    assert queries_for(client, path) == 1


def test_site_settings_cost_one_query_then_only_the_content_version(
    client, settings, django_assert_num_queries
):
    settings.PAGE_CACHE = False  # render every time, to count the settings' own cost
    SiteSettings.objects.create(clinic_name="Spine Care")
    # the content version; guide, sections, section points, stretches, their
    # places in the guide, their steps, keyword links, keywords; and the site
    # settings and the main location (the footer's contact details), each
    # read once then cached under that version
    with django_assert_num_queries(11):
        client.get("/")
    with django_assert_num_queries(9):
        client.get("/")


def test_the_consultation_form_costs_the_same_with_7_and_1000_stretches(client):
    # The form names only the stretch the patient came from: it never lists them all.
    path = "/consultation/?stretch=cobra-stretch"
    with_seven = queries_for(client, path)
    grow_to_1000_stretches_and_100_more_keywords()
    assert queries_for(client, path) == with_seven
