"""Public pages cost a fixed number of queries however many stretches there
are: steps and keywords are prefetched, never fetched per stretch (N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.models import SiteSettings
from stretches.models import Guide, Keyword
from tests.factories import add_to_guide, make_stretch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_settings_cached():
    """The counts below are a warm site's: the site settings record comes from
    the cache (see test_site_settings_cost_one_query_then_none)."""
    SiteSettings.current()


def queries_for(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def grow_to(count):
    keywords = list(Keyword.objects.all()[:3])
    guide = Guide.objects.homepage()
    new = [make_stretch(keywords=keywords) for _ in range(count - 7)]
    add_to_guide(guide, new)


@pytest.mark.parametrize("path", ["/", "/stretches/", "/keywords/chronic-pain/"])
def test_page_costs_the_same_queries_with_7_and_100_stretches(client, path):
    with_seven = queries_for(client, path)
    grow_to(100)
    assert queries_for(client, path) == with_seven


def test_home_page_takes_six_queries(client, django_assert_num_queries):
    # guide, sections, section points, stretches in the guide, their steps, their keywords
    with django_assert_num_queries(6):
        client.get("/")


def test_stretch_list_takes_four_queries(client, django_assert_num_queries):
    # count for the paginator, the page of stretches, their steps, their keywords
    with django_assert_num_queries(4):
        client.get("/stretches/")


def test_site_settings_cost_one_query_then_none(client, django_assert_num_queries):
    SiteSettings.objects.create(clinic_name="Spine Care")
    # guide, sections, section points, stretches in the guide, their steps,
    # their keywords; and the site settings, read once then cached
    with django_assert_num_queries(7):
        client.get("/")
    with django_assert_num_queries(6):
        client.get("/")
