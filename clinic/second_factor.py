"""A second factor (a TOTP code from an authenticator app) for staff who can
see patient data: superusers and anyone allowed to view consultation
requests or appointments (the Front desk group). Content editors sign in with a password
alone, as they never see a patient's details.

After the password, the admin sends such staff to one page: on their first
sign-in it shows a new secret (as a QR code and as text) and asks for a code
to prove the app holds it; later it only asks for the code. Until a code is
accepted in this session, every admin page redirects there."""

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

ENROLMENT_SESSION_KEY = "second_factor_enrolment_device"


def needs_second_factor(user):
    return user.is_active and (
        user.is_superuser
        or user.has_perm("consultations.view_consultationrequest")
        or user.has_perm("booking.view_appointment")
    )


def admin_prefix():
    return "/" + settings.ADMIN_URL


class SecondFactorRequiredMiddleware:
    """Send staff who can see patient data to the second-factor page until
    they have given a code in this session. Needs django_otp's OTPMiddleware
    above it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith(admin_prefix())  # first: the user is read from the session
            and user is not None
            and user.is_authenticated
            and request.path not in {reverse("second_factor"), reverse("admin:logout")}
            and needs_second_factor(user)
            and not user.is_verified()
        ):
            return redirect(
                reverse("second_factor") + "?" + urlencode({"next": request.get_full_path()})
            )
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError("Type the 6 digits your authenticator app shows.")
        allowed, _ = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                "Too many wrong codes: wait a minute, then type the code your app shows now."
            )
        if not self.device.verify_token(code):
            raise forms.ValidationError(
                "That code is not right. Codes change every 30 seconds: "
                "type the one your app shows now."
            )
        return code


def enrolment_device(request):
    """The unconfirmed device this session is enrolling, made on first use."""
    device = TOTPDevice.objects.filter(
        user=request.user, confirmed=False, pk=request.session.get(ENROLMENT_SESSION_KEY)
    ).first()
    if device is None:
        TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
        device = TOTPDevice.objects.create(
            user=request.user, name="Authenticator app", confirmed=False
        )
        request.session[ENROLMENT_SESSION_KEY] = device.pk
    return device


@never_cache
def second_factor(request):
    """Ask for a code; on a first sign-in, set up the authenticator app first."""
    user = request.user
    if not (user.is_authenticated and user.is_staff):
        return redirect(reverse("admin:login"))
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    next_url = next_url or reverse("admin:index")
    if user.is_verified() or not needs_second_factor(user):
        return redirect(next_url)

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = enrolment_device(request)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        if enrolling:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            request.session.pop(ENROLMENT_SESSION_KEY, None)
        otp_login(request, device)
        return redirect(next_url)

    context = {
        **admin.site.each_context(request),
        "title": "Set up your authenticator app" if enrolling else "Type your code",
        "form": form,
        "next": next_url,
        "enrolling": enrolling,
    }
    if enrolling:
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["qr_code"] = mark_safe(  # segno escapes what it writes
            segno.make(device.config_url, error="m").svg_inline(scale=5, title="QR code")
        )
    return TemplateResponse(request, "admin/second_factor.html", context)
