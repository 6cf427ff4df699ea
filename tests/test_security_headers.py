"""Every response, the admin's included, carries the site's security headers."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/stretches/",
    "/stretches/cobra-stretch/",
    "/keywords/spine-health/",
    "/consultation/",
    "/consultation/thanks/",
    "/consultation/privacy/",
    "/no-such-page/",
]


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (
            directive.split() for directive in header.split(";") if directive.strip()
        )
    }


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_allow_only_their_own_site(client, path):
    response = client.get(path)
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "nonce" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", [*PAGES, "admin"])
def test_every_response_carries_the_other_security_headers(admin_client, path):
    response = admin_client.get(reverse("admin:index") if path == "admin" else path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_https_responses_carry_hsts_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    response = client.get("/", secure=True)
    assert "max-age=31536000" in response["Strict-Transport-Security"]


def test_the_csrf_cookie_is_http_only_and_same_site(client):
    response = client.get("/consultation/")
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_a_changed_policy_setting_is_sent_at_once(client, settings):
    client.get("/consultation/privacy/")
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/consultation/privacy/")["Content-Security-Policy"] == "default-src 'none'"


def test_a_view_that_asks_for_its_own_policy_gets_it(rf):
    from csp.decorators import csp_update
    from django.http import HttpResponse

    from clinic.middleware import ContentSecurityPolicyMiddleware

    @csp_update({"img-src": ["https://images.example"]})
    def view(request):
        return HttpResponse("ok")

    response = ContentSecurityPolicyMiddleware(view)(rf.get("/"))
    directives = csp_directives(response)
    assert directives["img-src"][-1] == "https://images.example"
    assert directives["default-src"] == ["'self'"]
