"""The site's one public address.

Links that leave the page they are on (canonical links, Open Graph, JSON-LD,
the sitemap, links in emails) are built from the configured SITE_URL, never
from the request's Host header: a cached page or an email must not carry an
address that one visitor chose.
"""

from django.conf import settings


def absolute_url(path):
    """`path` (starting with "/", or a full URL already) on the site's address."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + "/" + path.lstrip("/")
