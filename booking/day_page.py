"""The booking day view (/book/times/), rendered once for each choice, week
and state of the diary, then filled in per visitor.

Finding a week's free times and drawing hundreds of buttons is most of what
the page costs, and every patient who chose the same appointment type,
place and clinician sees the same week alike but for the CSRF token. So the
page is kept in the cache under a key naming everything it shows:

- the content version (the rules: hours, leave, closures, clinicians and
  appointment types, and the footer) and the release;
- the choice, the first day of the week and today (the Earlier link);
- the diary's occupied blocks and where the notice and the horizon cut
  (`availability.search_fingerprint`): a booking, a cancellation, a hold
  taken, lapsed or given back, or the clock passing a slot's notice each
  make a new key;
- the advice the warning signs called for, and whether details are kept.

A page showing an error or the nearest times is rendered in full. The
response is never cached (`never_cache`): it carries the visitor's token.
"""

import hashlib
import time

from django.utils import timezone

from clinic.csrf import masked_csrf_token
from clinic.filled_pages import filled_page, made_page
from clinic.models import ContentVersion
from clinic.page_cache import release

from .availability import clinic_zone, search_fingerprint

# Letters and digits only, so escaping leaves it as it is.
CSRF_TOKEN = "csrftokenplaceholder3d9b1c"

# A key names one state of the diary, which never comes back: entries are
# only ever replaced, so they need not live long.
CACHE_SECONDS = 10 * 60


def page_key(request, *, choice, clinicians, first_day, advice, details_kept, now):
    appointment_type, location, clinician = choice
    today = timezone.localdate(now, clinic_zone())
    diary = search_fingerprint(
        appointment_type=appointment_type, clinicians=clinicians, start=first_day, days=7, now=now
    )
    parts = (
        ContentVersion.for_request(request),
        release(),
        time.gmtime().tm_year,  # the footer shows the year
        appointment_type.pk,
        location.pk,
        clinician.pk if clinician else "any",
        first_day.isoformat(),
        today.isoformat(),
        diary,
        advice or "",
        int(details_kept),
    )
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"booking-day:{digest}"


def day_page(request, key, render):
    """This visitor's copy of the page under `key`, as a response;
    `render(csrf_token)` renders it when no process has yet."""
    page = filled_page(key, (CSRF_TOKEN,), lambda: render(CSRF_TOKEN), CACHE_SECONDS)
    return page.response(request, {CSRF_TOKEN: masked_csrf_token(request)})


def made_day_page(request, key):
    """This visitor's copy of the page under `key` if this process has made
    it, else None (clinic/filled_pages_wsgi.py)."""
    page = made_page(key)
    if page is None:
        return None
    return page.response(request, {CSRF_TOKEN: masked_csrf_token(request)})
