"""Signing staff in as the admin requires: a password, then, for staff who
can see patient data, a real code from their authenticator app."""

import base64

from django.contrib.auth.models import Group, User
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

SECOND_FACTOR = reverse("second_factor")


def staff_in(group_name, username=None):
    user = User.objects.create_user(
        username or group_name.lower().replace(" ", "-"),
        password="pw-for-tests-only",
        is_staff=True,
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user


def current_code(device):
    """The code an authenticator app holding the device's key shows now."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def authenticator_of(user):
    """The user's enrolled authenticator app (made if they have none yet)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def sign_in_with_second_factor(client, user):
    """Signed in, and past the second-factor page with a real code."""
    client.force_login(user)
    device = authenticator_of(user)
    response = client.post(SECOND_FACTOR, {"code": current_code(device)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def sign_in_in_browser(page, base_url, username, password):
    """Sign in through the admin's pages as a person would: password, then
    the code from the authenticator app, enrolling it from the page's key on
    a first sign-in."""
    page.goto(base_url + reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{SECOND_FACTOR}**")
    shown_key = page.locator(".second-factor-secret")
    if shown_key.count():
        code = f"{totp(base64.b32decode(shown_key.inner_text())):06d}"
    else:
        code = current_code(TOTPDevice.objects.get(user__username=username, confirmed=True))
    page.fill("#id_code", code)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('admin:index')}")
