"""Signing staff in as the admin requires: a password, then, for staff who
can see patient data, a real code from their authenticator app."""

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
