from django.conf import settings
from django.contrib.sitemaps import Sitemap as DjangoSitemap


class Sitemap(DjangoSitemap):
    """A sitemap whose addresses are on SITE_URL, never on the request's Host
    and scheme (which Django's sitemap view passes in when
    django.contrib.sites is not used)."""

    def get_protocol(self, protocol=None):
        return settings.SITE_URL.split("://", 1)[0]

    def get_domain(self, site=None):
        return settings.SITE_URL.split("://", 1)[1]
