"""A staff session ends after STAFF_IDLE_TIMEOUT_MINUTES without activity."""

import time

import pytest
from django.urls import reverse

from clinic.idle_sessions import LAST_ACTIVITY_SESSION_KEY
from tests.factories import make_consultation
from tests.staff import sign_in_with_second_factor, staff_in

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")


@pytest.fixture
def front_desk(client):
    return sign_in_with_second_factor(client, staff_in("Front desk"))


def idle_for(client, minutes):
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = int(time.time()) - minutes * 60
    session.save()


def test_a_session_idle_past_the_limit_ends(front_desk, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 30
    make_consultation(full_name="Grace Hopper")
    assert front_desk.get(CHANGELIST).status_code == 200
    idle_for(front_desk, 31)
    response = front_desk.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert "_auth_user_id" not in front_desk.session
    page = front_desk.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in page
    assert "Grace Hopper" not in page


def test_activity_within_the_limit_keeps_the_session(front_desk, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 30
    idle_for(front_desk, 29)
    assert front_desk.get(CHANGELIST).status_code == 200
    # The request counted as activity: the clock starts again.
    assert time.time() - front_desk.session[LAST_ACTIVITY_SESSION_KEY] < 60


def test_the_limit_comes_from_the_setting(front_desk, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 5
    idle_for(front_desk, 6)
    assert front_desk.get(CHANGELIST).status_code == 302


def test_public_pages_set_no_cookie_for_visitors(client):
    for path in ["/", "/stretches/", "/stretches/", "/consultation/privacy/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert "sessionid" not in response.cookies
