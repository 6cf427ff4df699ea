"""Only a page that is the same for everyone is cached: the decision is taken
on the final response, after the session, CSRF and authentication middleware
have added their cookies and `Vary: Cookie`."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from tests.page_cache.cache_keys import page_keys

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.page_cache.urls")]


def signed_in_as_and_token(response):
    html = response.content.decode()
    user = re.search(r"Signed in as (\w+)", html).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return user, token


def test_a_page_reading_the_user_and_a_csrf_token_is_never_shared(admin_user):
    anonymous, staff = Client(), Client()
    staff.force_login(admin_user)
    for visit in range(3):
        for client, name in [(anonymous, "nobody"), (staff, admin_user.username)]:
            response = client.get("/personal/")
            user, token = signed_in_as_and_token(response)
            assert user == name, visit
            # The token in the page is this visitor's own, made from their cookie.
            assert _unmask_cipher_token(token) == client.cookies["csrftoken"].value
            assert "Cookie" in response["Vary"]
            assert "ETag" not in response  # nothing for a browser to revalidate with
    assert anonymous.cookies["csrftoken"].value != staff.cookies["csrftoken"].value
    assert page_keys() == []


def test_the_same_visitor_gets_a_fresh_page_each_time(client):
    """Served again from a cache, the page would repeat its first masked token."""
    tokens = {signed_in_as_and_token(client.get("/personal/"))[1] for _ in range(3)}
    assert len(tokens) == 3


def test_a_page_that_is_the_same_for_everyone_is_still_cached_beside_it(client):
    client.get("/personal/")
    client.get("/stretches/")
    assert len(page_keys()) == 1
