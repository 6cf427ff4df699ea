"""The site's URLs plus its uploaded files, for browser tests that show images
(the live server serves static files only, and static() adds nothing when
DEBUG is off, as it is in tests)."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from clinic.urls import urlpatterns as site_urlpatterns


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *site_urlpatterns]
