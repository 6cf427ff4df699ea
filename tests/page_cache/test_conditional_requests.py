"""Conditional requests (If-None-Match, If-Match) are answered for pages that
exist; a page that does not exist answers 404 whatever they say (RFC 9110
13.2.1: preconditions are ignored when the response would not be 2xx)."""

import pytest
from django.core.cache import cache

from tests.page_cache.cache_keys import page_keys

pytestmark = pytest.mark.django_db

MISSING = ["/stretches/no-such-stretch/", "/keywords/no-such-keyword/", "/stretches/?page=99"]
CONDITIONS = [
    {"If-None-Match": "*"},
    {"If-None-Match": '"some-old-version"'},
    {"If-Match": "*"},
    {"If-Match": '"some-old-version"'},
    {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"},
    {"If-Unmodified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"},
]


@pytest.mark.parametrize("headers", CONDITIONS)
@pytest.mark.parametrize("path", MISSING)
def test_a_page_that_does_not_exist_answers_404_to_any_condition(client, path, headers):
    client.get("/stretches/")  # the list's path is now one the page cache serves
    client.get("/stretches/")
    for _ in range(2):
        response = client.get(path, headers=headers)
        assert response.status_code == 404
        assert "ETag" not in response


@pytest.mark.parametrize("served_from", ["rendered", "cache"])
def test_any_version_of_a_page_that_exists_answers_304_to_if_none_match_star(client, served_from):
    if served_from == "cache":
        client.get("/stretches/cobra-stretch/")
    response = client.get("/stretches/cobra-stretch/", headers={"If-None-Match": "*"})
    assert response.status_code == 304
    assert response["ETag"]


@pytest.mark.parametrize("served_from", ["rendered", "cache"])
def test_if_match_with_an_old_version_is_refused_and_the_current_one_served(client, served_from):
    etag = client.get("/stretches/cobra-stretch/")["ETag"]
    if served_from == "rendered":
        cache.clear()  # the page is rendered again for each request below
    old = client.get("/stretches/cobra-stretch/", headers={"If-Match": '"some-old-version"'})
    assert old.status_code == 412
    current = client.get("/stretches/cobra-stretch/", headers={"If-Match": etag})
    assert current.status_code == 200
    assert b"Cobra Stretch" in current.content


def test_a_revalidation_that_renders_the_page_stores_it_for_the_next_visitor(client):
    """Another process, or a cache emptied since: the browser's ETag is still
    current, so it gets a 304, and the page rendered for it is kept."""
    etag = client.get("/stretches/cobra-stretch/")["ETag"]
    cache.clear()
    response = client.get("/stretches/cobra-stretch/", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert len(page_keys()) == 1
