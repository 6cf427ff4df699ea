"""The site's URLs plus a page that must never be cached, though it is wrapped
as a public page: it shows who is signed in and a CSRF token."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from clinic.page_cache import cached_public_page
from clinic.urls import urlpatterns as site_urlpatterns

PERSONAL = engines["django"].from_string(
    "<p>Signed in as {{ user.get_username|default:'nobody' }}</p>"
    "<form method='post'>{% csrf_token %}</form>"
)


def personal_page(request):
    return HttpResponse(PERSONAL.render({}, request))


urlpatterns = [path("personal/", cached_public_page(personal_page)), *site_urlpatterns]
