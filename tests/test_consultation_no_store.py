"""Pages that hold a patient's health details are never kept by a browser's
or a proxy's cache."""

import pytest

from tests.factories import consultation_form_data

pytestmark = pytest.mark.django_db

FORM_URL = "/consultation/"


def assert_no_store(response):
    assert "no-store" in response["Cache-Control"]


def test_the_form_is_not_stored(client):
    assert_no_store(client.get(FORM_URL))


def test_the_form_shown_again_with_a_mistake_is_not_stored(client):
    response = client.post(FORM_URL, consultation_form_data(phone="12"))
    assert response.status_code == 200
    assert_no_store(response)


def test_the_form_shown_again_over_the_rate_limit_is_not_stored(client, settings):
    settings.CONSULTATION_RATE_LIMIT = "1/h"
    client.post(FORM_URL, consultation_form_data())
    response = client.post(FORM_URL, consultation_form_data(emergency_signs=["bladder"]))
    assert response.status_code == 429
    assert_no_store(response)


@pytest.mark.parametrize("advice", ["", "emergency", "urgent"])
def test_the_thanks_page_is_not_stored(client, advice):
    assert_no_store(client.get("/consultation/thanks/", {"advice": advice}))
