"""The addresses of the site's own pages, each worked out once.

A page of stretch summaries links two dozen stretches, and Django's
`reverse`, which looks the pattern up afresh on every call, was a sixth of
what rendering it cost. URL patterns do not change while a process runs, so
each address is kept, under the URLconf and script prefix it was made with.

The URLconf is always settings.ROOT_URLCONF here: no middleware sets
`request.urlconf`, the only way Django serves another one. Reading it from
the settings rather than from Django's per-request `get_urlconf()` halves
what a lookup costs (the guide page makes 42 of them).
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, reverse


def page_url(viewname, **kwargs):
    """`reverse(viewname, kwargs=kwargs)`, remembered."""
    return _reversed(
        settings.ROOT_URLCONF, get_script_prefix(), viewname, tuple(sorted(kwargs.items()))
    )


# Bounded: a site with thousands of stretches keeps its busiest addresses.
@functools.lru_cache(maxsize=8192)
def _reversed(urlconf, script_prefix, viewname, kwargs):
    # reverse() reads the same script prefix, set for this request.
    return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))
