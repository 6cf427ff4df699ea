"""The consultation form is rate-limited per client, and the client's address
cannot be forged to dodge it."""

import re

import pytest
from django.test import RequestFactory

from clinic.models import RateLimitCount, SiteSettings
from clinic.network import client_ip, client_network
from clinic.ratelimit import allow, parse_rate
from consultations.models import ConsultationRequest
from tests.factories import consultation_form_data

pytestmark = pytest.mark.django_db

FORM_URL = "/consultation/"


def above_the_form(html):
    """What the rate-limited page says before the form itself."""
    return html.split('id="not-sent"')[1].split("<form")[0]


def send(client, data=None, **meta):
    return client.post(FORM_URL, data or consultation_form_data(), **meta)


def test_rates_read_as_count_per_period():
    assert parse_rate("5/h") == (5, 3600)
    assert parse_rate("20/day") == (20, 86400)
    assert parse_rate("1/m") == (1, 60)


def test_sixth_request_in_an_hour_gets_the_form_back_with_everything_kept(client, settings):
    settings.CONSULTATION_RATE_LIMIT = "5/h"
    for _ in range(5):
        assert send(client).status_code == 302
    response = client.post(
        FORM_URL, consultation_form_data(full_name="Bea Kind", preferred_days=["fri"])
    )
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert ConsultationRequest.objects.count() == 5
    html = response.content.decode()
    assert (
        "We could not send your request: too many requests have come from your network "
        "in the last hour. Please try again later or phone the clinic." in html
    )
    assert 'value="Bea Kind"' in html
    assert re.search(r'value="fri"[^>]*checked', html)
    assert "worse after sitting at my desk" in html
    assert "call 999 now" not in above_the_form(html)


@pytest.mark.parametrize("claim", ["have reached us", "already received", "we have your request"])
def test_over_the_limit_nothing_claims_the_request_was_received(client, settings, claim):
    settings.CONSULTATION_RATE_LIMIT = "1/h"
    send(client)
    response = send(client)
    assert response.status_code == 429
    assert claim not in response.content.decode().lower()


@pytest.mark.parametrize(
    ("signs", "advice"),
    [
        ({"emergency_signs": ["saddle_numbness"]}, "call 999 now"),
        ({"urgent_signs": ["cancer"]}, "Please see a doctor today"),
    ],
)
def test_over_the_limit_a_ticked_warning_sign_still_gets_its_advice(
    client, settings, signs, advice
):
    settings.CONSULTATION_RATE_LIMIT = "1/h"
    send(client)
    response = client.post(FORM_URL, consultation_form_data(**signs))
    assert response.status_code == 429
    html = response.content.decode()
    assert advice in above_the_form(html)


def test_over_the_limit_the_clinics_phone_number_is_given(client, settings):
    if "phone" not in {field.name for field in SiteSettings._meta.fields}:
        pytest.skip("SiteSettings has no phone number field on this branch")
    SiteSettings.objects.create(phone="020 7946 0000")
    settings.CONSULTATION_RATE_LIMIT = "1/h"
    send(client)
    assert "or phone us on" in send(client).content.decode()
    assert "020 7946 0000" in send(client).content.decode()


def test_over_the_limit_a_form_already_received_is_still_accepted(client, settings):
    settings.CONSULTATION_RATE_LIMIT = "1/h"
    data = consultation_form_data()
    send(client, data=data)
    assert send(client).status_code == 429
    resent = send(client, data=data | {"pain_intensity": "9"})
    assert resent.status_code == 302
    assert ConsultationRequest.objects.get().pain_intensity == 9


def test_page_traffic_cannot_evict_the_counts(client, settings):
    settings.CONSULTATION_RATE_LIMIT = "2/h"
    assert [send(client).status_code for _ in range(2)] == [302, 302]
    for n in range(2100):
        assert client.get("/stretches/", {"x": n}).status_code == 200
    assert send(client).status_code == 429


@pytest.mark.parametrize(
    ("first", "second", "shared"),
    [
        ("2001:db8::1", "2001:db8::2", True),
        ("2001:db8::1", "2001:db8:0:0:ffff:ffff:ffff:ffff", True),
        ("2001:db8::1", "2001:db8:0:1::1", False),
        ("198.51.100.1", "198.51.100.2", False),
        ("::ffff:198.51.100.1", "198.51.100.1", True),
    ],
)
def test_ipv6_clients_are_counted_per_64_and_ipv4_per_address(
    client, settings, first, second, shared
):
    settings.CONSULTATION_RATE_LIMIT = "1/h"
    assert send(client, REMOTE_ADDR=first).status_code == 302
    assert send(client, REMOTE_ADDR=second).status_code == (429 if shared else 302)


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("2001:db8::1", "2001:db8::/64"),
        ("2001:db8:0:1:abcd::9", "2001:db8:0:1::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("192.0.2.7", "192.0.2.7"),
        ("", ""),
        ("not-an-address", "not-an-address"),
    ],
)
def test_client_network_is_the_address_or_its_64(address, counted_as):
    assert client_network(address) == counted_as


def test_old_windows_are_forgotten(settings):
    RateLimitCount.objects.create(
        key="consultation:192.0.2.1", window_start=0, count=9, expires_at=3600
    )
    assert allow(scope="consultation", key="192.0.2.2", rate="1/h")
    assert list(RateLimitCount.objects.values_list("key", "count")) == [
        ("consultation:192.0.2.2", 1)
    ]


def test_a_new_window_starts_the_count_again():
    RateLimitCount.objects.create(
        key="consultation:192.0.2.1", window_start=0, count=9, expires_at=2**40
    )
    assert allow(scope="consultation", key="192.0.2.1", rate="1/h")
    assert not allow(scope="consultation", key="192.0.2.1", rate="1/h")


def test_another_client_is_not_limited(client, settings):
    settings.CONSULTATION_RATE_LIMIT = "2/h"
    for _ in range(3):
        send(client, REMOTE_ADDR="198.51.100.1")
    assert send(client, REMOTE_ADDR="198.51.100.2").status_code == 302


def test_a_forged_forwarded_for_header_is_ignored_without_proxies(client, settings):
    settings.CONSULTATION_RATE_LIMIT = "2/h"
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [send(client, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)]
    assert statuses == [302, 302, 429]


def test_behind_a_proxy_forged_entries_left_of_the_proxys_do_not_dodge_the_limit(client, settings):
    settings.CONSULTATION_RATE_LIMIT = "2/h"
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = [
        send(
            client,
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    other_patient = send(client, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other_patient.status_code == 302


def test_looking_at_the_form_does_not_count(client, settings):
    settings.CONSULTATION_RATE_LIMIT = "1/h"
    for _ in range(5):
        client.get(FORM_URL)
    assert send(client).status_code == 302


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "203.0.113.9", "192.0.2.1"),
        (1, "10.0.0.1", "203.0.113.9", "203.0.113.9"),
        (1, "10.0.0.1", "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (2, "10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "10.0.0.2", "203.0.113.9", "10.0.0.2"),
        (1, "10.0.0.1", "not-an-address", "10.0.0.1"),
        (1, "10.0.0.1", "", "10.0.0.1"),
        (1, "10.0.0.1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_is_read_from_the_trusted_end(
    settings, proxies, remote, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
