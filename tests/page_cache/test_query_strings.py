"""A public page is cached once per value of the query parameters it reads,
and no more: tracking parameters (utm_source, fbclid...) and made-up values
get the same page without adding a copy to the cache."""

import re

import pytest

from tests.factories import make_stretch
from tests.page_cache.cache_keys import cache_keys, page_keys

pytestmark = pytest.mark.django_db


def test_a_thousand_tracking_parameters_add_no_cache_keys(client):
    canonical = client.get("/").content
    keys = len(cache_keys())
    for number in range(1000):
        response = client.get(f"/?utm_source={number}")
        assert response.status_code == 200
    assert len(cache_keys()) == keys
    assert len(page_keys()) == 1
    assert client.get("/?utm_source=999").content == canonical


def test_a_tracking_parameter_gets_the_canonical_copy_from_the_first_request(client):
    first = client.get("/stretches/cobra-stretch/?fbclid=abc&utm_medium=social")
    assert first.status_code == 200
    assert len(page_keys()) == 1
    second = client.get("/stretches/cobra-stretch/")
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert len(page_keys()) == 1


def test_each_page_of_a_list_is_cached_once(client):
    for _ in range(30):
        make_stretch()
    pages = {}
    for query in ["", "?page=2", "?page=2&utm_source=x", "?utm_source=y&page=2", "?page=1"]:
        response = client.get(f"/stretches/{query}")
        assert response.status_code == 200
        pages[query] = response.content
    assert pages["?page=2"] == pages["?page=2&utm_source=x"] == pages["?utm_source=y&page=2"]
    assert pages[""] != pages["?page=2"]
    assert len(page_keys()) == 3  # no page, page=1 and page=2


@pytest.mark.parametrize("query", ["?page=02", "?page=last", "?page=2&page=3", "?page=%D9%A2"])
def test_a_page_number_the_site_never_links_to_is_answered_but_not_cached(client, query):
    for _ in range(30):
        make_stretch()
    for _ in range(2):
        assert client.get(f"/stretches/{query}").status_code in {200, 404}
    assert page_keys() == []


def test_the_page_sees_only_the_parameters_it_declares(client, settings):
    """The page cannot depend on a parameter its cache key leaves out: the
    view is given only the declared ones."""
    for _ in range(30):
        make_stretch()
    html = client.get("/stretches/?page=2&utm_source=newsletter").content.decode()
    assert "newsletter" not in html
    assert re.search(r'<link rel="canonical" href="[^"]+/stretches/\?page=2">', html)


def test_hostile_query_strings_never_cause_a_server_error(client):
    for query in ["?page=%00", "?page=%ff%fe", "?%00=1", "?page=" + "9" * 5000, "?a=1&" * 500]:
        assert client.get(f"/stretches/{query}").status_code < 500
        assert client.get(f"/{query}").status_code < 500
    assert all(":page:" in key for key in page_keys())
    assert len(page_keys()) <= 1
