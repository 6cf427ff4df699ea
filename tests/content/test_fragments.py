"""The parts a guide repeats for each stretch are Jinja2 fragments
(clinic/jinja.py): they escape what staff type exactly as Django's templates
do, and render the same stretch the same on every page that shows it."""

import re

import pytest
from django.utils.html import escape

from tests.factories import make_guide, make_keyword, make_stretch

pytestmark = pytest.mark.django_db

TYPED = """Knee "hug" <b>it's</b> & more"""


def test_what_staff_type_is_escaped_as_djangos_templates_escape_it(client):
    stretch = make_stretch(
        TYPED, steps=[f"Step: {TYPED}"], benefit=TYPED, keywords=[make_keyword(TYPED)]
    )
    guide = make_guide([stretch], published=True)
    for page in (guide.get_absolute_url(), stretch.get_absolute_url()):
        html = client.get(page).content.decode()
        # Django spells the quotes &quot; and &#x27;; Jinja2 alone would write &#34; and &#39;.
        assert html.count(escape(TYPED)) >= 4, page
        assert "<b>it" not in html and "&#39;" not in html and "&#34;" not in html


def test_a_stretch_card_is_the_same_in_a_guide_and_on_its_own_page(client):
    stretch = make_stretch(
        "Cat-cow", steps=["Kneel on all fours.", "Arch, then round."], keywords=[make_keyword()]
    )
    guide = make_guide([stretch], published=True)

    def card(page, level):
        html = client.get(page).content.decode()
        start = html.index('<section class="stretch-part" aria-labelledby="helps-')
        end = html.index("</p>", html.index('<p class="keywords">')) + len("</p>")
        return re.sub(rf"<(/?)h{level}\b", r"<\1hN", html[start:end])

    in_guide, on_its_page = card(guide.get_absolute_url(), 3), card(stretch.get_absolute_url(), 2)
    assert in_guide == on_its_page
    assert "Arch, then round." in in_guide and "<hN " in in_guide
