"""The "Request Consultation" call to action, as on the clinic's blog: in the
navigation and footer of every page, after the article, and on every stretch
page with the stretch filled in. It leads to the booking, whose safety screen
comes first."""

import re

import pytest

from stretches.models import Stretch

pytestmark = pytest.mark.django_db


def consultation_links(html):
    return re.findall(r'<a [^>]*href="(/book/[^"]*)"[^>]*>Request Consultation</a>', html)


def test_every_stretch_page_asks_for_a_consultation_about_that_stretch(client):
    for stretch in Stretch.objects.published():
        html = client.get(stretch.get_absolute_url()).content.decode()
        assert f"/book/?stretch={stretch.slug}" in consultation_links(html)
        assert 'class="cta"' in html


def test_the_article_ends_with_the_call_to_action(client):
    html = client.get("/").content.decode()
    article_end = html.index("</article>")
    cta = html.index('<aside class="cta"')
    assert cta > article_end
    assert consultation_links(html).count("/book/") == 3  # navigation, article, footer


def test_lists_offer_a_consultation_in_the_navigation_and_footer(client):
    for path in ["/stretches/", "/keywords/chronic-pain/", "/no-such-page/"]:
        assert consultation_links(client.get(path).content.decode()) == ["/book/"] * 2


def test_the_booking_page_does_not_link_to_itself_in_the_footer(client):
    html = client.get("/book/").content.decode()
    assert consultation_links(html) == ["/book/"]  # the navigation only
