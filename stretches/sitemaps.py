from django.urls import reverse

from clinic.sitemaps import Sitemap

from .models import Guide, Keyword, Stretch


class HomeSitemap(Sitemap):
    priority = 1.0

    def items(self):
        return ["stretches:home", "stretches:guides", "stretches:list", "stretches:routine"]

    def location(self, item):
        return reverse(item)


class GuideSitemap(Sitemap):
    """Published guides but the home page's, which is listed as `/`."""

    priority = 0.8

    def items(self):
        return Guide.objects.published().filter(is_homepage=False).order_by("slug")

    def lastmod(self, guide):
        return guide.updated_at


class StretchSitemap(Sitemap):
    priority = 0.7

    def items(self):
        return Stretch.objects.published().order_by("position", "slug")

    def lastmod(self, stretch):
        return stretch.updated_at


class KeywordSitemap(Sitemap):
    """Keyword pages with at least one published stretch (the others are empty)."""

    priority = 0.5

    def items(self):
        return Keyword.objects.filter(stretches__published=True).distinct().order_by("slug")


sitemaps = {
    "pages": HomeSitemap,
    "guides": GuideSitemap,
    "stretches": StretchSitemap,
    "keywords": KeywordSitemap,
}
