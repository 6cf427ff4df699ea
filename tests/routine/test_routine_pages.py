"""The routine's pages as the server sends them: the plain list every
browser gets (the player is built over it by JavaScript), the pain diary's
page, the printable sheet with its QR code, and a routine for any guide."""

import re

import pytest
import qrcode
from django.urls import reverse
from django.utils.html import escape

from consultations import clinical_wording
from stretches.models import GuideStretch, Stretch
from tests.factories import make_guide, make_stretch
from tests.page_text import visible_text
from tests.routine.helpers import routine_plans

pytestmark = pytest.mark.django_db

ARTICLE_ORDER = [
    "Child’s Pose",
    "Cat-Cow Stretch",
    "Knee-to-Chest Stretch",
    "Seated Spinal Twist",
    "Cobra Stretch",
    "Figure Four Stretch",
    "Standing Forward Bend",
]


def routine_titles(response):
    html = response.content.decode()
    return re.findall(r'<span class="stretch-number">\d+\.</span> (.*?)</h2>', html)


def test_the_routine_lists_the_articles_stretches_in_the_guides_order(client):
    assert routine_titles(client.get("/routine/")) == ARTICLE_ORDER


def test_without_javascript_each_stretch_shows_its_dose_and_every_step(client):
    text = visible_text(client.get("/routine/").content.decode())
    for stretch in Stretch.objects.all():
        if stretch.guidance:
            assert stretch.guidance in text
        for step in stretch.steps.all():
            assert step.text in text
    assert "Hold 20–30 seconds, each side" in text
    assert "Repeat 5–10 times" in text


def test_the_routine_hands_its_script_each_stretchs_timer_plan(client):
    plans = routine_plans(client.get("/routine/"))
    assert list(plans) == [stretch.slug for stretch in ordered_article_stretches()]
    assert plans["knee-to-chest-stretch"]["sides"] == 2
    assert plans["cat-cow-stretch"]["repetitions"]["max"] == 10


def ordered_article_stretches():
    return [placement.stretch for placement in GuideStretch.objects.order_by("position")]


def test_the_routine_follows_the_order_staff_give_the_guide(client):
    cobra = GuideStretch.objects.get(stretch__slug="cobra-stretch")
    cobra.position = 0
    cobra.save()
    assert routine_titles(client.get("/routine/"))[0] == "Cobra Stretch"


def test_an_unpublished_stretch_is_left_out_of_the_routine(client):
    Stretch.objects.filter(slug="cobra-stretch").update(published=False)
    titles = routine_titles(client.get("/routine/"))
    assert "Cobra Stretch" not in titles
    assert len(titles) == 6


def test_the_listen_to_your_body_notice_links_to_the_warning_signs(client):
    html = client.get("/routine/").content.decode()
    notice = html[html.index("Listen to your body") : html.index("</aside>")]
    assert 'href="/consultation/#warning-signs"' in notice
    assert "Sharp pain, or pain that spreads down a leg" in notice
    assert escape(clinical_wording.emergency_advice()) in notice


def test_every_guide_has_its_own_routine(client):
    guide = make_guide(stretches=[make_stretch("Side bend", hold_min_seconds=15)])
    response = client.get(reverse("stretches:guide_routine", kwargs={"slug": guide.slug}))
    assert response.status_code == 200
    assert routine_titles(response) == ["Side bend"]


def test_an_unpublished_or_unknown_guide_has_no_routine(client):
    guide = make_guide(published=False)
    assert client.get(f"/guides/{guide.slug}/routine/").status_code == 404
    assert client.get("/guides/no-such-guide/routine/").status_code == 404


def test_the_diary_page_says_nothing_leaves_the_device_and_needs_no_data(client):
    response = client.get("/routine/diary/")
    text = visible_text(response.content.decode())
    assert "Kept on this device only." in text
    assert "Nothing is sent to the clinic" in text
    assert 'src="/static/js/diary.js"' in response.content.decode()


def test_the_print_sheet_has_every_stretch_with_its_dose_and_a_14_day_grid(client):
    html = client.get("/routine/print/").content.decode()
    text = visible_text(html)
    for stretch in Stretch.objects.all():
        assert stretch.title in text
        assert stretch.guidance in text
    grid = html[html.index('<table class="tick-grid">') : html.index("</table>")]
    header = grid[grid.index("<thead>") : grid.index("</thead>")]
    assert re.findall(r'<th scope="col">(\d+)</th>', header) == [str(n) for n in range(1, 15)]
    assert grid.count("<td></td>") == 14 * 3


def qr_modules(svg):
    """The dark modules drawn in the SVG (qrcode's path: one square each)."""
    return {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H", svg)}


def test_the_print_sheets_qr_code_leads_to_the_routine_on_the_sites_address(client, settings):
    settings.SITE_URL = "https://clinic.example"
    html = client.get("/routine/print/").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    expected = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    expected.add_data("https://clinic.example/routine/")
    expected.make(fit=True)
    dark = {
        (x, y)
        for y, row in enumerate(expected.get_matrix())
        for x, is_dark in enumerate(row)
        if is_dark
    }
    border = 2
    assert {(x - border, y - border) for x, y in qr_modules(svg)} == dark
    assert "https://clinic.example/routine/" in visible_text(html)
    assert "http" not in re.sub(r"xmlns=\"[^\"]+\"", "", svg)  # no image fetched from anywhere


def test_the_routine_pages_link_to_each_other(client):
    html = client.get("/routine/").content.decode()
    assert 'href="/routine/diary/"' in html
    assert 'href="/routine/print/"' in html


def test_the_routine_costs_the_same_queries_however_many_stretches_it_has(
    client, django_assert_num_queries
):
    # version, guide, its stretches, their places in it, steps, site
    # settings, main location (the footer): never a query per stretch (N+1),
    # so a long routine costs what a short one does.
    with django_assert_num_queries(7):
        assert client.get("/routine/").status_code == 200
    guide = GuideStretch.objects.first().guide
    for number in range(20):
        GuideStretch.objects.create(
            guide=guide, stretch=make_stretch(f"Extra {number}"), position=100 + number
        )
    with django_assert_num_queries(7):
        response = client.get("/routine/")
    assert len(routine_titles(response)) == 27
