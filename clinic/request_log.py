"""One log line per request, tagged with a request id, and no personal data.

nginx gives every request an id (`X-Request-ID: $request_id`); without one
(no proxy in front) the site makes its own. The id goes back in the
response's `X-Request-ID` header and onto every log line written while the
request is handled (clinic.logs.JsonFormatter), so nginx's line, the site's
line and any error in between can be matched.

The line names the route, not the path: `/book/manage/<token>/` rather than
the signed link itself, which would let anyone who reads the logs manage
that booking. Paths no route matched (a 404, say) are not logged at all, as
the client chose them; nor are query strings, form data or addresses.
(gunicorn's own access log, which would, is off: deploy/gunicorn.conf.py.)
"""

import contextvars
import logging
import random
import re
import time

logger = logging.getLogger("clinic.request")

current_request_id = contextvars.ContextVar("request_id", default=None)

# nginx's $request_id is 32 hex digits; accept ids like it, and no others.
REQUEST_ID = re.compile(r"[A-Za-z0-9_.-]{8,64}")


def request_id_from(request):
    # From META: `request.headers` would first copy every header (~10 µs).
    return valid_request_id(request.META.get("HTTP_X_REQUEST_ID", ""))


def valid_request_id(given):
    return given if given and REQUEST_ID.fullmatch(given) else new_request_id()


def new_request_id():
    """32 hex digits, like nginx's. An id only ties log lines together: it
    must be unique, not unguessable. Python's generator, seeded by the
    system once per process and again in each forked worker, saves asking
    the kernel on every request that came without one."""
    return f"{random.getrandbits(128):032x}"


def logging_requests():
    """Whether request lines are logged at all (LOG_LEVEL INFO or lower)."""
    return logger.isEnabledFor(logging.INFO)


def log_request(*, method, path, status, started):
    """The request's one line (`path` a route or a public page's path)."""
    logger.info(
        "%s %s %s",
        method,
        path or "(no route)",
        status,
        extra={
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )


def loggable_path(request, response):
    """The route's pattern when a view answered; the path itself for static
    files and pages answered from the page cache, which are public."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return "/" + match.route
    if response is not None and response.status_code in {200, 304}:
        return request.path
    return None


class RouteNotPath(logging.Filter):
    """For django.request, whose warnings and errors name the path
    ("Not Found: /…"): name the route instead, or nothing."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if request is not None and isinstance(record.args, tuple) and len(record.args) == 2:
            record.args = (record.args[0], loggable_path(request, None) or "(no route)")
        return True


class RequestLogMiddleware:
    """First in MIDDLEWARE, so that it times and logs pages the page cache
    answers too, and its header (different for every request) is never
    stored with a cached page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request)
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            # Django would log a 4xx again after this returns ("Not Found:
            # …"), outside the request's id and with nothing this line lacks.
            # Errors (5xx) are logged, and emailed, before they get here.
            response._has_been_logged = True
            log_request(
                method=request.method,
                path=loggable_path(request, response),
                status=response.status_code,
                started=started,
            )
            return response
        finally:
            current_request_id.reset(token)
