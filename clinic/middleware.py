import functools
import logging

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
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


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site's policies built once rather
    than twice for every response (some 25 µs: a seventh of a short page's
    trip through the middleware). A response that brings a policy of its own
    (django-csp's decorators), a request that used a nonce, or a debug error
    page is handled by django-csp itself."""

    def process_response(self, request, response):
        if _own_policy(request, response) or (
            settings.DEBUG and response.status_code in {404, 500}
        ):
            return super().process_response(request, response)
        for header, exempt, policy, excluded_prefixes in site_policies():
            if (
                policy
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(excluded_prefixes)
            ):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


OWN_POLICY_ATTRIBUTES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


def _own_policy(request, response):
    return getattr(request, "_csp_nonce", None) is not None or any(
        getattr(response, name, None) is not None for name in OWN_POLICY_ATTRIBUTES
    )


@functools.cache
def site_policies():
    """(header, the response attribute exempting it, the policy, the path
    prefixes it skips) for the policy and the report-only policy, from
    settings."""
    policies = []
    for header, exempt, setting, report_only in (
        (HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY", False),
        (HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
    ):
        excluded = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
        policies.append((header, exempt, build_policy(report_only=report_only), tuple(excluded)))
    return tuple(policies)


@receiver(setting_changed)
def _forget_site_policies(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        site_policies.cache_clear()
