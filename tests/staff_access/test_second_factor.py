"""Staff who can see patient data give a code from an authenticator app
after their password; content editors sign in with a password alone."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_consultation
from tests.staff import SECOND_FACTOR, authenticator_of, current_code, staff_in

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")


def sign_in_with_password(client, user):
    response = client.post(
        LOGIN, {"username": user.username, "password": "pw-for-tests-only", "next": CHANGELIST}
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    return response


def code_from_key(secret):
    import base64

    key = base64.b32decode(secret)
    return f"{totp(key):06d}"


@pytest.mark.parametrize("kind", ["front desk", "superuser"])
def test_a_password_alone_does_not_open_patient_data(client, kind):
    user = (
        staff_in("Front desk")
        if kind == "front desk"
        else User.objects.create_superuser("boss", password="pw-for-tests-only")
    )
    make_consultation(full_name="Grace Hopper")
    sign_in_with_password(client, user)
    for path in [INDEX, CHANGELIST, reverse("admin:auth_user_changelist")]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(SECOND_FACTOR)
    assert "Grace Hopper" not in client.get(CHANGELIST, follow=True).content.decode()


def test_first_sign_in_enrols_an_app_with_a_secret_shown_until_confirmed(client):
    user = staff_in("Front desk")
    sign_in_with_password(client, user)
    page = client.get(SECOND_FACTOR, {"next": CHANGELIST}).content.decode()
    secret = re.search(r'<code class="second-factor-secret">([A-Z2-7]+)</code>', page).group(1)
    assert "<svg" in page  # the QR code, drawn inline: no image request, nothing for the CSP
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()

    response = client.post(SECOND_FACTOR, {"code": code_from_key(secret), "next": CHANGELIST})
    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    assert client.get(CHANGELIST).status_code == 200
    assert TOTPDevice.objects.get(user=user).confirmed

    # The next sign-in asks for a code only: the secret is never shown again.
    client.logout()
    sign_in_with_password(client, user)
    page = client.get(SECOND_FACTOR).content.decode()
    assert secret not in page
    assert "second-factor-secret" not in page


def test_a_wrong_code_is_refused_clearly_and_the_page_stays_shut(client):
    user = staff_in("Front desk")
    device = authenticator_of(user)
    sign_in_with_password(client, user)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(SECOND_FACTOR, {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get(CHANGELIST).status_code == 302


@pytest.mark.parametrize("code", ["", "abcdef", "12 34 5x", "\u0661\u0662\u0663", "9" * 12])
def test_nonsense_codes_get_a_message_not_an_error(client, code):
    user = staff_in("Front desk")
    authenticator_of(user)
    sign_in_with_password(client, user)
    response = client.post(SECOND_FACTOR, {"code": code})
    assert response.status_code == 200
    assert 'class="errornote"' in response.content.decode()


def test_a_code_from_the_app_opens_the_admin(client):
    user = staff_in("Front desk")
    device = authenticator_of(user)
    sign_in_with_password(client, user)
    response = client.post(SECOND_FACTOR, {"code": current_code(device), "next": CHANGELIST})
    assert response["Location"] == CHANGELIST
    assert client.get(CHANGELIST).status_code == 200


def test_the_next_address_cannot_leave_the_site(client):
    user = staff_in("Front desk")
    device = authenticator_of(user)
    sign_in_with_password(client, user)
    response = client.post(
        SECOND_FACTOR, {"code": current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == INDEX


def test_content_editors_sign_in_with_a_password_alone(client):
    editor = staff_in("Content editors")
    sign_in_with_password(client, editor)
    assert client.get(reverse("admin:stretches_stretch_changelist")).status_code == 200
    assert not TOTPDevice.objects.filter(user=editor).exists()


def test_the_second_factor_page_sends_strangers_to_sign_in(client):
    response = client.get(SECOND_FACTOR)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
