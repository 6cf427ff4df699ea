"""Cached public pages answered before Django handles the request at all.

`PageCacheMiddleware` answers a cached page ahead of every other middleware,
but Django still builds a request, sends its request signals and passes the
answer back out: on this site that is most of what a cached page costs. This
WSGI wrapper (clinic/wsgi.py) answers the same page with the same bytes and
headers from the same cache entry, with one query (the content version) and
one cache read. It answers only what it knows to be safe, and hands anything
else to Django:

- a plain GET for a path and Host that Django has already served as a
  public page in this process (`page_cache.public_paths` and
  `page_cache.accepted_hosts`, filled by the middleware), so the host was
  checked against ALLOWED_HOSTS and the page found the same for everyone;
- no conditional headers (Django answers 304s and 412s);
- not a plain-HTTP request that SecurityMiddleware would redirect;
- a page already in the cache at the current content version.
"""

import gzip
import time

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import get_path_info
from django.db import DatabaseError
from django.http import QueryDict

from clinic import driver_cursor, page_cache, wal_index
from clinic.models import ContentVersion
from clinic.recent import Recent
from clinic.request_log import (
    current_request_id,
    log_request,
    logging_requests,
    valid_request_id,
)

CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def serve_cached_pages(django_application):
    """Wraps the site's WSGI application: cached public pages first, then
    pages filled in per visitor (clinic/filled_pages_wsgi.py)."""
    from clinic.filled_pages_wsgi import filled_page  # it reads this module's helpers

    def application(environ, start_response):
        started = time.perf_counter()
        page = cached_page(environ) or filled_page(environ)
        if page is None:
            return django_application(environ, start_response)
        status, headers, body = page
        # Logged and tagged like every other request (clinic/request_log.py);
        # both kinds of page are public, so their paths are no secret.
        request_id = valid_request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        if logging_requests():
            token = current_request_id.set(request_id)
            try:
                log_request(
                    method="GET",
                    path=get_path_info(environ),
                    status=int(status.split(" ", 1)[0]),
                    started=started,
                )
            finally:
                current_request_id.reset(token)
        start_response(status, [*headers, ("X-Request-ID", request_id)])
        return [body]

    return application


def cached_page(environ):
    """(status, headers, body) for a cached public page, or None to let
    Django answer."""
    if environ.get("REQUEST_METHOD") != "GET" or settings.DEBUG or not settings.PAGE_CACHE:
        return None
    path = environ.get("PATH_INFO", "/")
    if not path.isascii():  # as Django decodes it; an ASCII path is itself
        path = get_path_info(environ)
    query = page_cache.public_paths.get(path)
    if query is None or page_cache.host_headers(environ) not in page_cache.accepted_hosts:
        return None
    if any(header in environ for header in CONDITIONAL_HEADERS):
        return None
    scheme = scheme_of(environ)
    if scheme != "https" and settings.SECURE_SSL_REDIRECT:
        return None
    query_string = environ.get("QUERY_STRING", "")
    canonical = (
        page_cache.canonical_parameters(QueryDict(query_string), query) if query_string else ""
    )
    if canonical is None:
        return None
    try:
        version = content_version()
    except DatabaseError:
        # Django meets the outage and answers its "please try again" page.
        return None
    page = (version, page_cache.release(), scheme, path, canonical)
    answers = _recent_answers.get(page)
    if answers is None:
        key, etag = page_cache.page_key(version, scheme, path, canonical)
        stored = cache.get(key)
        if not stored:
            return None
        answers = _answers(stored, etag)
        _recent_answers.remember(page, answers)
    gzipped, plain = answers
    if page_cache.ACCEPTS_GZIP.search(environ.get("HTTP_ACCEPT_ENCODING", "")):
        return gzipped
    return plain


def _answers(stored, etag):
    """The answer to a client that takes gzip and to one that does not, each
    as (status, headers, body), from a page as PageCacheMiddleware stored it."""
    content_type, body, replayed = stored
    # The order Django's HttpResponse gives them (page_cache._page_response).
    headers = [*replayed.items(), *page_cache._page_headers(etag).items()]
    plain = gzip.decompress(body)
    return (
        (
            "200 OK",
            (
                *headers,
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(body))),
                ("Content-Type", content_type),
            ),
            body,
        ),
        (
            "200 OK",
            (*headers, ("Content-Length", str(len(plain))), ("Content-Type", content_type)),
            plain,
        ),
    )


# The answers this process gave lately, by content version, release and
# page: saves the shared cache's read and unpickling, and the headers'
# making.
_recent_answers = Recent()

VERSION_SQL = f"SELECT token FROM {ContentVersion._meta.db_table} WHERE id = 1"


# The version this process read last, and the database's commit marker taken
# just before: while the marker holds, nothing was committed since.
_version_read = (None, None)


def content_version():
    """`ContentVersion.current()`, read again only once something was
    committed (clinic/wal_index.py, on SQLite), and then on the driver's own
    cursor: about 4 µs against 15 through Django's cursor wrapper."""
    global _version_read
    # Taken before the query: a commit in between changes the marker, so the
    # version stored with it can only be newer than the marker, never older.
    marker = wal_index.commit_marker()
    if marker is not None and marker == _version_read[0]:
        return _version_read[1]
    row = driver_cursor.fetch_one(VERSION_SQL)
    version = row[0] if row else ContentVersion.current()
    _version_read = (marker, version)
    return version


def scheme_of(environ):
    # As HttpRequest.scheme reads it, trusting the proxy's header only when configured.
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
    return environ.get("wsgi.url_scheme", "http")
