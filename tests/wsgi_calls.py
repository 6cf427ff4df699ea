"""Requests made to the site's WSGI application as gunicorn makes them: the
answers ahead of Django (clinic/page_cache_wsgi.py,
clinic/filled_pages_wsgi.py), then Django itself."""

import io
import sys

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from clinic.page_cache_wsgi import serve_cached_pages


def site():
    """The application clinic/wsgi.py serves, with this test's settings."""
    return serve_cached_pages(WSGIHandler())


def wsgi_environ(path, body=b"", **fields):
    """A request for `path` (query included) from 127.0.0.1 to testserver
    over plain HTTP, taking gzip; `fields` add to or replace the environ's."""
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_ACCEPT_ENCODING": "gzip",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        **fields,
    }


def call(application, env):
    """(status, headers, body) of `application`'s answer to `env`."""
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, headers

    # As Django's test client does around each request: its end must not
    # close the connection that holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(application(env, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], body
