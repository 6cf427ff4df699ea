"""The clinic's contact details as patients see them (the footer, the privacy
notice, the "phone us" lines): the main location's phone, email and address
when staff have marked one, each falling back to the site settings' own when
the location leaves it blank; the site settings alone when there is no main
location. One source, so the footer never shows one number and the location
page another."""

from dataclasses import dataclass

from django.core.cache import cache

from clinic.models import ContentVersion, SiteSettings, phone_uri
from clinic.recent import Recent

from .models import Location

CACHE_KEY = "practice:main-location"
CACHE_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class ClinicContact:
    """Named like SiteSettings' fields, so one template shows either."""

    clinic_name: str
    phone: str
    email: str
    postal_address_lines: list

    @property
    def postal_address(self):
        return "\n".join(self.postal_address_lines)

    @property
    def phone_uri(self):
        return phone_uri(self.phone)


def main_location(request=None):
    """The active main location, or None. Cached under the content version,
    which every save of a location changes (practice/apps.py): no query per
    page once warm, and no cached page outlives an edit."""
    version = ContentVersion.for_request(request) if request else ContentVersion.current()
    key = f"{CACHE_KEY}:{version}"
    found = cache.get(key)
    if found is None:
        location = Location.objects.active().filter(is_main=True).first()
        found = (location,)
        cache.set(key, found, CACHE_SECONDS)
    return found[0]


# The details each content version gave lately, in this process: every page's
# footer shows them, and each page read the settings and the main location
# from the shared cache again. A version never changes, so the
# copy here is never stale.
_recent_contacts = Recent()


def clinic_contact(request=None):
    version = ContentVersion.for_request(request) if request else ContentVersion.current()
    return _recent_contacts.get_or_make(version, lambda: _clinic_contact(request))


def _clinic_contact(request):
    site = SiteSettings.current(request)
    location = main_location(request)
    if location is None:
        return ClinicContact(site.clinic_name, site.phone, site.email, site.postal_address_lines)
    return ClinicContact(
        clinic_name=site.clinic_name,
        phone=location.phone or site.phone,
        email=location.email or site.email,
        postal_address_lines=location.address_lines or site.postal_address_lines,
    )
