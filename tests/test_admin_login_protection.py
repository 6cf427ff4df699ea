"""Guessing an admin password gets the account locked out for a while."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")


@pytest.fixture
def staff_user():
    return User.objects.create_user("frontdesk", password="correct horse battery", is_staff=True)


def log_in(client, password):
    return client.post(LOGIN, {"username": "frontdesk", "password": password, "next": "/admin/"})


def test_repeated_wrong_passwords_lock_the_account_out(client, staff_user, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        assert log_in(client, "wrong").status_code == 200
    locked = log_in(client, "wrong")
    assert locked.status_code == 429
    assert "Sign-in temporarily locked" in locked.content.decode()
    # Even the right password is refused while locked out.
    assert log_in(client, "correct horse battery").status_code == 429


def test_the_right_password_signs_in_before_the_limit(client, staff_user):
    log_in(client, "wrong")
    response = log_in(client, "correct horse battery")
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(failures_since_start__gt=0).exists()


def test_staff_see_the_lockouts_in_the_admin(client, staff_user, admin_client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    log_in(client, "wrong")
    log_in(client, "wrong")
    response = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 200
    assert "frontdesk" in response.content.decode()


def test_one_address_trying_many_user_names_is_locked_out(client, staff_user, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for name in ["anna", "ben", "carla", "dev"]:
        response = client.post(LOGIN, {"username": name, "password": "guess", "next": "/admin/"})
        assert response.status_code == 200
    locked = client.post(LOGIN, {"username": "erin", "password": "guess", "next": "/admin/"})
    assert locked.status_code == 429
    # The address is locked even for a real account with its right password.
    assert log_in(client, "correct horse battery").status_code == 429


def test_a_locked_address_does_not_lock_the_user_out_elsewhere(client, staff_user, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for name in ["anna", "ben", "carla", "dev", "frontdesk"]:
        client.post(
            LOGIN,
            {"username": name, "password": "guess", "next": "/admin/"},
            REMOTE_ADDR="198.51.100.7",
        )
    assert log_in(client, "correct horse battery").status_code == 302
