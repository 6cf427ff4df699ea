"""The Jinja2 environment for the page fragments a guide repeats for each
stretch (`templates/**/*.jinja`), and `render_fragment`, which the
`fragment` template tag calls.

A fragment sees only the values its tag passes it, and renders as Django's
template language would, down to the spelling of escaped quotes.
"""

from django.template import engines
from django.utils.safestring import mark_safe
from jinja2 import Environment

# Jinja2 escapes quotes as `&#39;` and `&#34;`, Django as `&#x27;` and
# `&quot;`; the rest is the same. Respelling the finished fragment costs a few
# µs, escaping each value Django's way cost a third of the render. Neither
# spelling can come from escaped text ("&" is escaped first).
_DJANGO_SPELLING = (("&#39;", "&#x27;"), ("&#34;", "&quot;"))


def environment(**options):
    return Environment(**options)


def render_fragment(template_name, values):
    html = engines["jinja2"].get_template(template_name).render(values)
    for jinja_spelling, django_spelling in _DJANGO_SPELLING:
        html = html.replace(jinja_spelling, django_spelling)
    return mark_safe(html)
