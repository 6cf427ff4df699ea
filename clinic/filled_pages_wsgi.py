"""Pages filled in per visitor (clinic/filled_pages.py), answered before
Django's middleware.

The empty consultation form and a week of booking times are rendered once
and filled in per visitor, so what they cost is the trip through Django: the
handler and some twenty middleware took more than the view did. Once Django has answered such
a page in full for a path, host and scheme, this process answers the same
request here, as `clinic/page_cache_wsgi.py` does for cached pages:

- Django's own request object, with the visitor's session and CSRF cookie
  read, and written back, by Django's own `SessionMiddleware` and
  `CsrfViewMiddleware` (their `process_request` and `process_response`),
  and the view's own code filling the page in;
- the headers the middleware gave Django's full answer (security policy,
  framing, referrer), recorded by `RecordFilledPagesMiddleware`; the headers
  made afresh for each answer (cookie, expiry, length, encoding) come from
  this answer.

Only a plain GET is answered here (with no query, unless the view reads
it), for a path, host and scheme Django has answered the same way, with the
page already made in this process and nothing to write but cookies;
anything else goes to Django. The
other middleware does nothing to such a request: the staff-only checks look
at admin paths, the rest at the host, the scheme and the method, which are
the ones Django accepted. A middleware added later that acts on public GETs
must be run here too.
"""

import dataclasses
import logging
import time

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.handlers.wsgi import WSGIRequest
from django.db import DatabaseError
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.http import http_date

from clinic import page_cache
from clinic.page_cache_wsgi import CONDITIONAL_HEADERS, content_version, scheme_of

logger = logging.getLogger(__name__)

# Made for each answer: the answer's own, never the recorded ones.
PER_ANSWER = {
    "cache-control",
    "content-encoding",
    "content-length",
    "content-type",
    "expires",
    "vary",
}

# (path, host headers, scheme) -> _Route. Bounded: hosts are few and only
# accepted ones are recorded (ALLOWED_HOSTS), paths are the site's own.
_routes = {}
MAX_ROUTES = 64


@dataclasses.dataclass(frozen=True)
class _Route:
    # `answer(request)`: the view's response for a page already made, or None.
    answer: object
    # The headers Django's middleware gave the full answer, but PER_ANSWER.
    headers: tuple
    # Whether `answer` reads the query string.
    reads_query: bool = False


def answer_ahead_with(answer, *, query=False):
    """Marks a view's response as one this process may give again ahead of
    Django, made by `answer(request)` for a request the middleware has not
    seen (returning None when it cannot). `query`: `answer` reads the query
    string (requests with one are otherwise left to Django)."""

    def mark(response):
        response.answer_ahead = answer
        response.answer_ahead_reads_query = query
        return response

    return mark


class RecordFilledPagesMiddleware:
    """Records the headers Django's middleware gave a response its view
    marked with `answer_ahead_with`, when the request was one this module
    answers: after this, such requests need not reach Django. Placed right
    under `PageCacheMiddleware`, so every other middleware has had its say."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        answer = getattr(response, "answer_ahead", None)
        reads_query = getattr(response, "answer_ahead_reads_query", False)
        if answer is not None and _recordable(request, response, reads_query):
            key = (request.path_info, page_cache.host_headers(request.META), request.scheme)
            if key in _routes or len(_routes) < MAX_ROUTES:
                headers = tuple(
                    (name, value)
                    for name, value in response.items()
                    if name.lower() not in PER_ANSWER
                )
                _routes[key] = _Route(answer, headers, reads_query)
        return response


def _recordable(request, response, reads_query):
    return (
        _plain_get(request.META, reads_query)
        and response.status_code == 200
        and set(response.cookies) <= {settings.CSRF_COOKIE_NAME}
        and not settings.DEBUG
    )


def _plain_get(environ, reads_query):
    query = environ.get("QUERY_STRING")
    return (
        environ.get("REQUEST_METHOD") == "GET"
        # As RejectNulBytesMiddleware: an address with a NUL gets Django's 400.
        and (not query or (reads_query and "%00" not in query and "\x00" not in query))
        and not any(header in environ for header in CONDITIONAL_HEADERS)
    )


def filled_page(environ):
    """(status, headers, body) for a filled-in page answered here, or None
    to let Django answer."""
    if not _routes or environ.get("REQUEST_METHOD") != "GET" or settings.DEBUG:
        return None
    scheme = scheme_of(environ)
    route = _routes.get((environ.get("PATH_INFO", "/"), page_cache.host_headers(environ), scheme))
    if route is None or not _plain_get(environ, route.reads_query):
        return None
    if scheme != "https" and settings.SECURE_SSL_REDIRECT:
        return None
    request = WSGIRequest(environ)
    try:
        request.content_version = content_version()
        # The two middlewares whose work differs per visitor, as Django runs
        # them: the session first, the CSRF cookie inside it.
        _sessions.process_request(request)
        _csrf.process_request(request)
        response = route.answer(request)
        if response is None:
            return None
        _csrf.process_response(request, response)
        _sessions.process_response(request, response)
    except DatabaseError:
        return None  # Django meets the outage and answers its "please try again" page.
    except Exception:
        # Nothing was written: Django answers instead, as it would have.
        logger.exception("A filled-in page could not be answered ahead of Django")
        return None
    response["Content-Length"] = str(len(response.content))
    headers = [
        *route.headers,
        *response.items(),
        *(("Set-Cookie", cookie.output(header="")) for cookie in response.cookies.values()),
    ]
    return f"{response.status_code} {response.reason_phrase}", headers, response.content


# What `never_cache` writes on a response that has neither header, without
# its parsing of the headers (a tenth of the cost); the tests compare the two.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def never_cached(response):
    """`add_never_cache_headers(response)` for a response just made."""
    response.headers["Expires"] = http_date(time.time())
    response.headers["Cache-Control"] = NEVER_CACHE
    return response


def _no_view(request):  # the middlewares want one; only their hooks are used
    raise NotImplementedError


_sessions = SessionMiddleware(_no_view)
_csrf = CsrfViewMiddleware(_no_view)


def forget_routes():
    """Tests: each starts with Django answering."""
    _routes.clear()
