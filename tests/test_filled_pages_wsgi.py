"""The empty consultation form answered ahead of Django's middleware
(clinic/filled_pages_wsgi.py): the answer Django gives, headers and all, with
the visitor's own tokens and CSRF cookie as Django's middleware sets them;
only once Django has answered it in full, and anything unusual left to Django."""

import gzip
import io
import re

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.middleware.csrf import _unmask_cipher_token

from bench.load import consultation_payload
from clinic import filled_pages_wsgi
from clinic.models import SiteSettings
from consultations.models import ConsultationRequest
from tests.wsgi_calls import call, wsgi_environ

pytestmark = pytest.mark.django_db

FORM = "/consultation/"
SECRET = "abcdefghijabcdefghijabcdefghijAB"  # a CSRF cookie as Django sets it
# Made afresh for each answer: compared by name only.
PER_ANSWER = {"Expires", "Content-Length", "Set-Cookie", "X-Request-ID"}


def environ(path=FORM, cookie=f"csrftoken={SECRET}", **fields):
    if cookie:
        fields["HTTP_COOKIE"] = cookie
    return wsgi_environ(path, **fields)


def page(body):
    return gzip.decompress(body).decode()


def hidden(html, name):
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def without_tokens(html):
    return re.sub(r'name="(csrfmiddlewaretoken|form_token)" value="[^"]*"', "", html)


def csrf_cookie(headers):
    [cookie] = [value for name, value in headers if name == "Set-Cookie"]
    return cookie.strip()


def test_after_django_has_answered_the_form_the_next_visitor_is_answered_ahead_of_it(
    wsgi_site, requests_django_saw, caplog
):
    by_django = call(wsgi_site, environ())
    assert len(requests_django_saw) == 1
    caplog.clear()
    with caplog.at_level("INFO", logger="clinic.request"):
        ahead = call(wsgi_site, environ(HTTP_X_REQUEST_ID="0123456789abcdef"))
    assert len(requests_django_saw) == 1  # Django never saw the second request
    # Tagged and logged like every other request.
    assert ("X-Request-ID", "0123456789abcdef") in ahead[1]
    [line] = [r for r in caplog.records if r.name == "clinic.request"]
    assert (line.path, line.status) == (FORM, 200)
    assert ahead[0] == by_django[0] == "200 OK"
    assert sorted(name for name, _ in ahead[1]) == sorted(name for name, _ in by_django[1])
    assert {(n, v) for n, v in ahead[1] if n not in PER_ANSWER} == {
        (n, v) for n, v in by_django[1] if n not in PER_ANSWER
    }
    assert without_tokens(page(ahead[2])) == without_tokens(page(by_django[2]))
    assert ("Content-Length", str(len(ahead[2]))) in ahead[1]


def test_the_csrf_cookie_is_kept_renewed_or_replaced_as_djangos_middleware_does(wsgi_site):
    call(wsgi_site, environ())
    _, headers, body = call(wsgi_site, environ())
    assert csrf_cookie(headers).startswith(f"csrftoken={SECRET};")
    assert _unmask_cipher_token(hidden(page(body), "csrfmiddlewaretoken")) == SECRET
    for cookie in ("", "csrftoken=not-a-token!"):
        _, headers, body = call(wsgi_site, environ(cookie=cookie))
        secret = re.match(r"csrftoken=(\w{32});", csrf_cookie(headers)).group(1)
        assert secret != SECRET
        assert _unmask_cipher_token(hidden(page(body), "csrfmiddlewaretoken")) == secret
    by_django = csrf_cookie(call(WSGIHandler(), environ())[1])
    ahead = csrf_cookie(call(wsgi_site, environ())[1])
    # The same attributes; only the expiry date can move on by a second.
    assert re.sub(r"expires=[^;]*;", "", ahead) == re.sub(r"expires=[^;]*;", "", by_django)


def test_a_form_sent_from_a_page_answered_ahead_of_django_is_stored(wsgi_site, settings):
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    call(wsgi_site, environ())
    _, headers, body = call(wsgi_site, environ(cookie=""))
    cookie = csrf_cookie(headers).split(";", 1)[0]
    data = consultation_payload(page(body)).encode()
    status, headers, _ = call(
        wsgi_site,
        environ(
            cookie=cookie,
            REQUEST_METHOD="POST",
            CONTENT_TYPE="application/x-www-form-urlencoded",
            CONTENT_LENGTH=str(len(data)),
            **{"wsgi.input": io.BytesIO(data)},
        ),
    )
    assert status.startswith("302"), status
    assert ConsultationRequest.objects.count() == 1


@pytest.mark.parametrize("session_key", ["k" * 32, "abc"])  # well formed, or not
def test_a_visitor_with_a_session_cookie_gets_the_cookies_django_gives(
    wsgi_site, requests_django_saw, session_key
):
    cookie = f"csrftoken={SECRET}; sessionid={session_key}"
    call(wsgi_site, environ())
    by_django = call(WSGIHandler(), environ(cookie=cookie))
    seen = len(requests_django_saw)
    ahead = call(wsgi_site, environ(cookie=cookie))
    assert len(requests_django_saw) == seen

    def cookies(answer):
        return sorted(value.split("=", 1)[0].strip() for n, value in answer[1] if n == "Set-Cookie")

    assert cookies(ahead) == cookies(by_django)
    assert {n for n, _ in ahead[1]} == {n for n, _ in by_django[1]}


def test_each_visitor_gets_their_own_form_token_and_referring_page(wsgi_site):
    call(wsgi_site, environ())
    first = page(
        call(wsgi_site, environ(HTTP_REFERER="http://testserver/stretches/cobra-stretch/"))[2]
    )
    second = page(call(wsgi_site, environ(HTTP_REFERER="https://elsewhere.example/page/"))[2])
    assert hidden(first, "form_token") != hidden(second, "form_token")
    assert hidden(first, "source_page") == "/stretches/cobra-stretch/"
    assert hidden(second, "source_page") == ""


@pytest.mark.parametrize(
    "unusual",
    [
        {"path": FORM + "?stretch=cobra-stretch"},
        {"REQUEST_METHOD": "POST"},
        {"REQUEST_METHOD": "HEAD"},
        {"HTTP_IF_MODIFIED_SINCE": "Mon, 30 Nov 2026 10:00:00 GMT"},
        {"HTTP_HOST": "other.example"},
        {"path": "/book/"},
    ],
)
def test_anything_unusual_is_left_to_django(wsgi_site, requests_django_saw, unusual):
    call(wsgi_site, environ())
    assert filled_pages_wsgi.filled_page(environ(**unusual)) is None


def test_plain_http_is_left_to_the_https_redirect(wsgi_site, settings):
    call(wsgi_site, environ())
    settings.SECURE_SSL_REDIRECT = True
    assert filled_pages_wsgi.filled_page(environ()) is None
    assert filled_pages_wsgi.filled_page(environ(HTTP_X_FORWARDED_PROTO="https")) is None


def test_a_content_edit_is_shown_at_once(wsgi_site, requests_django_saw):
    call(wsgi_site, environ())
    site_settings = SiteSettings.current()
    site_settings.clinic_name = "Riverside Back Clinic"
    site_settings.save()
    # Not made yet for the new content: Django answers, and makes it.
    assert filled_pages_wsgi.filled_page(environ()) is None
    assert "Riverside Back Clinic" in page(call(wsgi_site, environ())[2])
    seen = len(requests_django_saw)
    assert "Riverside Back Clinic" in page(call(wsgi_site, environ())[2])
    assert len(requests_django_saw) == seen


def test_nothing_is_recorded_while_debugging(wsgi_site, settings):
    settings.DEBUG = True
    call(wsgi_site, environ())
    settings.DEBUG = False
    assert filled_pages_wsgi.filled_page(environ()) is None


def test_a_page_that_fails_ahead_of_django_is_answered_by_django(wsgi_site, monkeypatch, caplog):
    call(wsgi_site, environ())

    def broken(request):
        raise RuntimeError("a bug")

    [key] = filled_pages_wsgi._routes
    monkeypatch.setitem(
        filled_pages_wsgi._routes,
        key,
        filled_pages_wsgi._Route(broken, filled_pages_wsgi._routes[key].headers),
    )
    status, _, body = call(wsgi_site, environ())
    assert status == "200 OK" and "csrfmiddlewaretoken" in page(body)
    assert "could not be answered ahead of Django" in caplog.text
