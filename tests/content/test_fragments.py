"""The parts a guide repeats for each stretch are Jinja2 fragments
(clinic/jinja.py): they escape what staff type exactly as Django's templates
do, and render the same stretch the same on every page that shows it."""

import datetime
import re

import pytest
from django.template import engines
from django.utils.html import escape

from stretches.models import Stretch
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


@pytest.mark.parametrize(
    "moment",
    [
        datetime.date(2026, 3, 2),
        # 23:30 UTC on 30 June is 00:30 on 1 July in London.
        datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 12, 31, 23, 59, tzinfo=datetime.UTC),
        None,
    ],
)
def test_a_fragments_dates_read_as_djangos_date_filter_writes_them(moment):
    django_engine, jinja_engine = engines["django"], engines["jinja2"]
    django_dates = django_engine.from_string('{{ d|date:"Y-m-d" }}|{{ d|date:"j F Y" }}')
    jinja_dates = jinja_engine.from_string("{{ d|iso_date }}|{{ d|long_date }}")
    assert jinja_dates.render({"d": moment}) == django_dates.render({"d": moment})


def test_the_review_note_names_the_reviewer_and_the_day_in_the_clinics_time_zone(client):
    stretch = make_stretch("Cat-cow")
    Stretch.objects.filter(pk=stretch.pk).update(
        reviewed_by="Dr Ada Lovelace",
        last_reviewed_on=datetime.date(2026, 7, 1),
        awaiting_clinical_review=False,
    )
    html = client.get(stretch.get_absolute_url()).content.decode()
    assert 'Reviewed by Dr Ada Lovelace on <time datetime="2026-07-01">1 July 2026</time>.' in html
    assert f'href="/book/?stretch={stretch.slug}"' in html
