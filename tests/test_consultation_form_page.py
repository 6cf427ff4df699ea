"""The empty consultation form is rendered once per content version, then
each visitor gets a copy with their own tokens (consultations/form_page.py)."""

import re

import pytest

from clinic.models import SiteSettings
from consultations.forms import read_form_token

pytestmark = pytest.mark.django_db

FORM_URL = "/consultation/"


def hidden(html, name):
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_each_visitor_gets_their_own_tokens_in_an_otherwise_identical_page(
    client, django_assert_max_num_queries
):
    first = client.get(FORM_URL).content.decode()
    client.cookies.clear()
    with django_assert_max_num_queries(3):  # from the cache: no form rendering queries
        second = client.get(FORM_URL).content.decode()
    assert hidden(first, "csrfmiddlewaretoken") != hidden(second, "csrfmiddlewaretoken")
    assert hidden(first, "form_token") != hidden(second, "form_token")
    assert read_form_token(hidden(second, "form_token")) is not None

    def without_tokens(html):
        return re.sub(r'name="(csrfmiddlewaretoken|form_token)" value="[^"]*"', "", html)

    assert without_tokens(first) == without_tokens(second)
    assert "placeholder" not in second


def test_the_copy_still_sets_the_csrf_cookie_and_is_never_stored(client):
    client.get(FORM_URL)
    client.cookies.clear()
    response = client.get(FORM_URL)
    assert "csrftoken" in response.cookies
    assert "no-store" in response["Cache-Control"]


def test_the_referring_page_is_escaped_in_each_copy(client):
    client.get(FORM_URL)
    response = client.get(FORM_URL, headers={"Referer": 'http://testserver/a"><script>'})
    html = response.content.decode()
    assert 'name="source_page" value="/a&quot;&gt;&lt;script&gt;"' in html
    assert "<script>" not in html.split('name="source_page"')[1][:60]


def test_a_content_edit_shows_on_the_form_at_once(client):
    client.get(FORM_URL)
    site = SiteSettings.current()
    site.clinic_name = "Renamed Back Clinic"
    site.save()
    assert "Renamed Back Clinic" in client.get(FORM_URL).content.decode()


def test_a_form_sent_from_the_cached_copy_is_stored(client, settings):
    from bench.load import consultation_payload
    from consultations.models import ConsultationRequest

    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    client.get(FORM_URL)  # renders and caches
    body = consultation_payload(client.get(FORM_URL).content.decode())
    response = client.post(FORM_URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    assert ConsultationRequest.objects.count() == 1
