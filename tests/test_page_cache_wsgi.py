"""Cached public pages answered ahead of Django (clinic/page_cache_wsgi.py):
the same bytes and headers as Django's own answer, never a page older than
the content, and only what Django has already judged safe."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from clinic import page_cache_wsgi
from clinic.page_cache_wsgi import cached_page
from stretches.models import Stretch
from tests.wsgi_calls import call, wsgi_environ

pytestmark = pytest.mark.django_db

PATH = "/stretches/cobra-stretch/"


@pytest.fixture(autouse=True)
def no_pages_from_other_tests():
    # Tests roll the database back, so a content version can come back with
    # other content: a real database never does that (tokens are random).
    page_cache_wsgi._recent_answers.clear()
    yield
    page_cache_wsgi._recent_answers.clear()


def environ(path=PATH, **headers):
    # nginx's request id, echoed by both answers.
    return wsgi_environ(path, **{"HTTP_X_REQUEST_ID": "request-id-from-nginx", **headers})


def test_a_cached_page_is_answered_with_the_bytes_and_headers_django_sends(wsgi_site):
    call(wsgi_site, environ())  # rendered and stored
    assert cached_page(environ()) is not None
    by_django = call(WSGIHandler(), environ())  # PageCacheMiddleware's answer
    assert call(wsgi_site, environ()) == by_django
    plain = call(WSGIHandler(), environ(HTTP_ACCEPT_ENCODING="identity"))
    assert call(wsgi_site, environ(HTTP_ACCEPT_ENCODING="identity")) == plain


def test_a_cached_page_carries_and_logs_its_request_id(wsgi_site, caplog):
    call(wsgi_site, environ())
    caplog.clear()
    with caplog.at_level("INFO", logger="clinic.request"):
        _, headers, _ = call(wsgi_site, environ(HTTP_X_REQUEST_ID="0123456789abcdef"))
    assert ("X-Request-ID", "0123456789abcdef") in headers
    [line] = [r for r in caplog.records if r.name == "clinic.request"]
    assert (line.path, line.status) == (PATH, 200)


def test_a_content_edit_is_seen_at_once(wsgi_site):
    call(wsgi_site, environ())
    stretch = Stretch.objects.get(slug="cobra-stretch")
    stretch.title = "Cobra Stretch, revised"
    stretch.save()
    assert cached_page(environ()) is None  # the new version is not stored yet
    _, _, body = call(wsgi_site, environ(HTTP_ACCEPT_ENCODING="identity"))
    assert b"Cobra Stretch, revised" in body


def test_a_path_django_has_not_served_as_a_public_page_is_left_to_django(wsgi_site):
    call(wsgi_site, environ())
    assert cached_page(environ("/consultation/")) is None
    assert cached_page(environ("/stretches/no-such-stretch/")) is None


def test_a_host_django_has_not_accepted_is_left_to_django(wsgi_site):
    call(wsgi_site, environ())
    assert cached_page(environ(HTTP_HOST="evil.example")) is None
    status, _, _ = call(wsgi_site, environ(HTTP_HOST="evil.example"))
    assert status.startswith("400")


def test_conditional_requests_and_other_methods_are_left_to_django(wsgi_site):
    _, headers, _ = call(wsgi_site, environ())
    etag = dict(headers)["ETag"]
    assert cached_page(environ(HTTP_IF_NONE_MATCH=etag)) is None
    assert call(wsgi_site, environ(HTTP_IF_NONE_MATCH=etag))[0].startswith("304")
    assert cached_page(environ(REQUEST_METHOD="HEAD")) is None
    assert cached_page(environ(REQUEST_METHOD="POST")) is None


def test_plain_http_is_left_to_the_https_redirect(wsgi_site, settings):
    call(wsgi_site, environ())
    settings.SECURE_SSL_REDIRECT = True
    assert cached_page(environ()) is None
    assert cached_page(environ(HTTP_X_FORWARDED_PROTO="https")) is None  # no proxy trusted
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Stored under its own scheme: an https page is rendered once first.
    assert cached_page(environ(HTTP_X_FORWARDED_PROTO="https")) is None


def test_undeclared_query_parameters_share_the_page_and_odd_values_are_not_served(wsgi_site):
    call(wsgi_site, environ("/stretches/"))
    assert cached_page(environ("/stretches/?utm_source=mail")) is not None
    assert cached_page(environ("/stretches/?page=02")) is None


def test_a_database_that_cannot_be_read_leaves_the_page_to_django(wsgi_site):
    call(wsgi_site, environ())
    assert cached_page(environ()) is not None
    with connection.cursor() as cursor:  # rolled back with the test
        cursor.execute("ALTER TABLE clinic_contentversion RENAME TO clinic_contentversion_gone")
    assert cached_page(environ()) is None
