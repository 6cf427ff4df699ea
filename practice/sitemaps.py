from django.urls import reverse

from clinic.sitemaps import Sitemap

from .models import Clinician, Location


class ClinicianListSitemap(Sitemap):
    """`/clinicians/`, once there is someone on it."""

    priority = 0.6

    def items(self):
        return ["practice:clinicians"] if Clinician.objects.active().exists() else []

    def location(self, item):
        return reverse(item)


class ClinicianSitemap(Sitemap):
    priority = 0.6

    def items(self):
        return Clinician.objects.active().order_by("slug")

    def lastmod(self, clinician):
        return clinician.updated_at


class LocationSitemap(Sitemap):
    priority = 0.6

    def items(self):
        return Location.objects.active().order_by("slug")

    def lastmod(self, location):
        return location.updated_at


sitemaps = {
    "clinician-list": ClinicianListSitemap,
    "clinicians": ClinicianSitemap,
    "locations": LocationSitemap,
}
