import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from clinic import jinja, page_urls, site_address

register = template.Library()

# As json_script does: no "</script>" or HTML comment can end the block early.
# Three replace() calls, not str.translate: on an article's text, which is not
# all ASCII, translate took 0.26 ms for its 6.8 KB of JSON, replace under 1 µs.
_JSON_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


def _escape_json_for_html(text):
    for character, escaped in _JSON_ESCAPES:
        text = text.replace(character, escaped)
    return text


@register.filter
def json_ld(data):
    """Render schema.org data as a JSON-LD block. It is data, not a script:
    a self-only content security policy does not need to allow it."""
    if not data:
        return ""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=None)
    return format_html(
        '<script type="application/ld+json">{}</script>', mark_safe(_escape_json_for_html(text))
    )


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The page's one address for search engines: the view's `canonical_url`
    when it sets one, else this path without its query, keeping `?page=N`."""
    if context.get("canonical_url"):
        return context["canonical_url"]
    url = site_address.absolute_url(context["request"].path)
    page_obj = context.get("page_obj")
    if page_obj is not None and page_obj.number > 1:
        url += f"?page={page_obj.number}"
    return url


@register.simple_tag
def absolute_url(path):
    """An address on the site's configured address (SITE_URL), as Open Graph
    needs; never the request's Host, which a visitor chooses."""
    return site_address.absolute_url(path)


@register.simple_tag
def page_url(viewname, **kwargs):
    """`{% url %}` for the site's own pages, each address worked out once
    (clinic/page_urls.py): every page's header and footer link five."""
    return page_urls.page_url(viewname, **kwargs)


@register.simple_tag
def fragment(template_name, **values):
    """Renders a Jinja2 fragment (clinic/jinja.py) with only `values`:
    `{% fragment "stretches/_stretch.jinja" stretch=stretch sub="2" %}`."""
    return jinja.render_fragment(template_name, values)
