import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string

from clinic.models import SiteSettings

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """Answer "please try again" (503) when the database is briefly locked
    or unreachable, instead of an error page with a traceback. Nothing the
    patient sent has been stored in that case, and they are told so.

    The page is rendered without touching the database (it does not extend
    base.html, and gets no context processors, which read the site settings):
    the clinic's name and phone come from the cache, or from settings."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return database_unavailable_response(request, exception)


def database_unavailable_response(request, exception):
    """The "please try again" page (503) for a database error."""
    # The exception's text can carry query parameters: log its type only.
    # The request id on the line says which request (clinic/request_log.py).
    logger.error("Database unavailable (%s)", type(exception).__name__)
    # No request context: its processors read the site settings record.
    site = SiteSettings.cached_or_default()
    page = render_to_string(
        "503.html",
        {
            "site": site,
            "clinic_name": site.clinic_name,
            "emergency_number": settings.EMERGENCY_NUMBER,
        },
    )
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class RejectNulBytesMiddleware:
    """Refuse addresses carrying NUL characters (400). No page needs one, and
    PostgreSQL cannot hold them in text, so a search or filter for one would
    otherwise fail deep in the database. (Form fields refuse them on their own,
    with a message next to the field.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return HttpResponseBadRequest(
                "This address contains a character that is not allowed.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
