"""The empty consultation form page, rendered once per content version and
release and then filled in per visitor.

Rendering the form (crispy-forms, every warning sign, every field) is most of
what the page costs, and an empty form looks the same to everyone but for
three values: the CSRF token, the form's own signed token and the page the
visitor came from. So the page is rendered with placeholders in their place,
kept in the cache, and each visitor gets a copy with theirs put in, escaped
as the template would have, compressed but for them (clinic/filled_pages.py).
The response itself is never cached (`no-store`): it carries the visitor's
tokens.

A form arriving from a stretch page (`?stretch=`) shows that stretch and is
rendered in full, as is any form with errors.
"""

import time

from clinic.csrf import masked_csrf_token
from clinic.filled_pages import filled_page
from clinic.filled_pages import made_page as made_filled_page
from clinic.models import ContentVersion
from clinic.page_cache import release

# Letters and digits only, so escaping leaves them as they are.
CSRF_TOKEN = "csrftokenplaceholder0c4f1e"
FORM_TOKEN = "formtokenplaceholder9b7d2a"
SOURCE_PAGE = "sourcepageplaceholder5e8a3f"

CACHE_SECONDS = 24 * 60 * 60


def page_key(request):
    version = ContentVersion.for_request(request)
    # The footer shows the year.
    return f"consultation-form:{version}-{release()}:{time.gmtime().tm_year}:{request.path}"


def empty_form_page(request, render_with):
    """The form page, ready to fill in (clinic/filled_pages.py).
    `render_with(initial, context)` renders the page with these initial
    values and extra context."""
    return filled_page(
        page_key(request),
        (CSRF_TOKEN, FORM_TOKEN, SOURCE_PAGE),
        lambda: render_with(
            {"form_token": FORM_TOKEN, "source_page": SOURCE_PAGE},
            {"csrf_token": CSRF_TOKEN},
        ),
        CACHE_SECONDS,
    )


def made_page(request):
    """The page as `empty_form_page` gives it, if this process has made it."""
    return made_filled_page(page_key(request))


def visitor_values(request, initial):
    """The three values this visitor's copy of the page carries, by placeholder."""
    return {
        CSRF_TOKEN: masked_csrf_token(request),
        FORM_TOKEN: initial["form_token"],
        SOURCE_PAGE: initial["source_page"],
    }
