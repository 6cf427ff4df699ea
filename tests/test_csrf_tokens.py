"""The CSRF token filled-in pages carry (clinic/csrf.py): what Django's own
`get_token` gives, drawn from one read of the kernel's randomness, and
checked by Django's CsrfViewMiddleware like any other."""

from collections import Counter

import pytest
from django.http import HttpResponse
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CsrfViewMiddleware,
    _unmask_cipher_token,
)
from django.test import RequestFactory

from clinic.csrf import masked_csrf_token, random_csrf_string

factory = RequestFactory()


def view(request):
    return HttpResponse("ok")


def csrf_checked(request):
    """What Django's middleware answers: None to let the view run, or a 403."""
    request._dont_enforce_csrf_checks = False
    middleware = CsrfViewMiddleware(view)
    middleware.process_request(request)
    return middleware.process_view(request, view, (), {})


def test_a_new_visitor_gets_a_cookie_and_a_token_django_accepts(settings):
    settings.CSRF_COOKIE_SECURE = False
    page = factory.get("/consultation/")
    middleware = CsrfViewMiddleware(view)
    middleware.process_request(page)
    token = masked_csrf_token(page)
    response = middleware.process_response(page, HttpResponse("form"))
    cookie = response.cookies[settings.CSRF_COOKIE_NAME].value
    assert len(cookie) == CSRF_SECRET_LENGTH
    assert _unmask_cipher_token(token) == cookie

    posted = factory.post("/consultation/", {"csrfmiddlewaretoken": token})
    posted.COOKIES[settings.CSRF_COOKIE_NAME] = cookie
    assert csrf_checked(posted) is None


def test_a_returning_visitor_keeps_their_cookie_and_each_page_masks_it_afresh(settings):
    secret = random_csrf_string()
    tokens = set()
    for _ in range(3):
        page = factory.get("/book/times/")
        page.COOKIES[settings.CSRF_COOKIE_NAME] = secret
        CsrfViewMiddleware(view).process_request(page)
        tokens.add(masked_csrf_token(page))
        assert page.META["CSRF_COOKIE"] == secret
        assert page.META["CSRF_COOKIE_NEEDS_UPDATE"]  # sent again, to renew its expiry
    assert len(tokens) == 3
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}


@pytest.mark.django_db  # the refusal page shows the clinic's details
def test_a_token_for_another_cookie_is_refused(settings):
    token = masked_csrf_token(factory.get("/consultation/"))
    posted = factory.post("/consultation/", {"csrfmiddlewaretoken": token})
    posted.COOKIES[settings.CSRF_COOKIE_NAME] = random_csrf_string()
    assert csrf_checked(posted).status_code == 403


def test_every_character_of_the_alphabet_is_drawn_as_often():
    drawn = Counter("".join(random_csrf_string() for _ in range(2000)))
    assert set(drawn) == set(CSRF_ALLOWED_CHARS)
    expected = 2000 * CSRF_SECRET_LENGTH / len(CSRF_ALLOWED_CHARS)  # about 1,032
    # Mapping every byte by % 62 would draw the first eight characters a
    # fifth more often than the rest: 1,250 times.
    assert all(abs(count - expected) < 0.15 * expected for count in drawn.values())
