"""The Jinja2 environment for the page fragments a guide repeats for each
stretch (`templates/**/*.jinja`), and `render_fragment`, which the
`fragment` template tag calls.

A fragment sees only the values its tag passes it, and renders as Django's
template language would, down to the spelling of escaped quotes. Beside
Jinja2's own, it may use `page_url` (clinic/page_urls.py) and the filters
`iso_date` and `long_date`, Django's `date:"Y-m-d"` and `date:"j F Y"`.
"""

import datetime

from django.template import engines
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import mark_safe
from jinja2 import Environment

from clinic.page_urls import page_url

# Jinja2 escapes quotes as `&#39;` and `&#34;`, Django as `&#x27;` and
# `&quot;`; the rest is the same. Respelling the finished fragment costs a few
# µs, escaping each value Django's way cost a third of the render. Neither
# spelling can come from escaped text ("&" is escaped first).
_DJANGO_SPELLING = (("&#39;", "&#x27;"), ("&#34;", "&quot;"))


def environment(**options):
    env = Environment(**options)
    env.globals["page_url"] = page_url
    env.filters.update(iso_date=iso_date, long_date=long_date)
    return env


def _local_date(value):
    """A date as it is, an aware datetime as its date in the current time
    zone, as Django's `date` filter takes them."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value


def iso_date(value):
    """`value|date:"Y-m-d"` in Django's templates."""
    return _local_date(value).isoformat() if value else ""


def long_date(value):
    """`value|date:"j F Y"` in Django's templates: "2 March 2026"."""
    if not value:
        return ""
    day = _local_date(value)
    return f"{day.day} {MONTHS[day.month]} {day.year}"


def render_fragment(template_name, values):
    html = engines["jinja2"].get_template(template_name).render(values)
    for jinja_spelling, django_spelling in _DJANGO_SPELLING:
        html = html.replace(jinja_spelling, django_spelling)
    return mark_safe(html)
