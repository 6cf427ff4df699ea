import sys

from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.views import defaults

from .middleware import database_unavailable_response


def baseline(request):
    """The benchmark's yardstick: the cheapest response that still passes
    through all the site's middleware. Hidden unless BENCHMARK_BASELINE=1."""
    if not settings.BENCHMARK_BASELINE:
        raise Http404
    return HttpResponse("baseline", content_type="text/plain")


def view_on_site(request, content_type_id, object_id):
    """The admin's "view on site" redirect, for staff allowed to view that
    kind of object. Django's own redirects anyone signed in to the admin, so
    a content editor could learn which consultation request numbers exist."""
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        raise Http404 from None
    if model is None or not request.user.has_perm(
        f"{model._meta.app_label}.{get_permission_codename('view', model._meta)}"
    ):
        raise Http404
    return shortcut(request, content_type_id, object_id)


def server_error(request):
    """Django's 500 page, unless the database failed: then "please try
    again" (503), as DatabaseUnavailableMiddleware answers for views. This
    catches what that middleware cannot see, such as the session being saved
    after the view, while the database server restarts."""
    exception = sys.exception()
    if isinstance(exception, OperationalError | InterfaceError):
        return database_unavailable_response(request, exception)
    return defaults.server_error(request)
