from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from practice.sitemaps import sitemaps as practice_sitemaps
from stretches.sitemaps import sitemaps

from . import health, views
from .second_factor import second_factor

urlpatterns = [
    path(f"{settings.ADMIN_URL}second-factor/", second_factor, name="second_factor"),
    # Ahead of the admin's own "view on site" shortcut, which checks no permission.
    path(
        f"{settings.ADMIN_URL}r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(views.view_on_site),
    ),
    path(settings.ADMIN_URL, admin.site.urls),
    path("consultation/", include("consultations.urls")),
    path("book/", include("booking.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps | practice_sitemaps}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("__baseline__/", views.baseline),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("practice.urls")),
    path("", include("stretches.urls")),
]

# A database error outside any view still gets the "please try again" page.
handler500 = "clinic.views.server_error"

# Uploaded images, in development only (static() adds nothing when DEBUG is off).
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
