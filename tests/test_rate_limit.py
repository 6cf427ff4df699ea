"""The consultation form is rate-limited per client, and the client's address
cannot be forged to dodge it."""

import pytest
from django.test import RequestFactory

from clinic.network import client_ip
from clinic.ratelimit import parse_rate
from consultations.models import ConsultationRequest
from tests.factories import consultation_form_data

pytestmark = pytest.mark.django_db

FORM_URL = "/consultation/"


def send(client, **meta):
    return client.post(FORM_URL, consultation_form_data(), **meta)


def test_rates_read_as_count_per_period():
    assert parse_rate("5/h") == (5, 3600)
    assert parse_rate("20/day") == (20, 86400)
    assert parse_rate("1/m") == (1, 60)


def test_sixth_request_in_an_hour_gets_a_friendly_429(client, settings):
    settings.CONSULTATION_RATE_LIMIT = "5/h"
    for _ in range(5):
        assert send(client).status_code == 302
    response = send(client)
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "We have already received your requests" in response.content.decode()
    assert ConsultationRequest.objects.count() == 5


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
