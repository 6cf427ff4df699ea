"""A patient reads the site in a real browser, on a phone and on a desktop:
every public page passes axe-core's WCAG 2.1 AA rules, fits the screen, makes
no request outside the site, and is saved as a screenshot."""

import pytest

from stretches.models import Keyword, Stretch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = {
    "home": "/",
    "guide-list": "/guides/",
    "guide": "/guides/daily-stretches-for-back-pain/",
    "stretch-list": "/stretches/",
    "consultation-form": "/consultation/",
    "consultation-thanks-emergency": "/consultation/thanks/?advice=emergency",
    "privacy-notice": "/consultation/privacy/",
    "not-found": "/no-such-page/",
}


def open_page(page, live_server, path):
    response = page.goto(live_server.url + path)
    page.wait_for_load_state("load")
    return response


def assert_fits_the_screen(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_accessible_fits_the_screen_and_has_one_h1(
    page, live_server, assert_accessible, screenshot, name
):
    response = open_page(page, live_server, PAGES[name])
    assert response.status == (404 if name == "not-found" else 200)
    assert page.locator("h1").count() == 1
    assert page.title()
    assert_fits_the_screen(page)
    assert_accessible()
    screenshot(name)


def test_every_stretch_and_keyword_page_is_accessible(
    page, live_server, assert_accessible, screenshot
):
    stretches = list(Stretch.objects.published())
    keywords = list(Keyword.objects.all())
    assert len(stretches) == 7 and len(keywords) == 9, "the article's data is loaded"
    for item in [*stretches, *keywords]:
        response = open_page(page, live_server, item.get_absolute_url())
        assert response.status == 200
        assert page.locator("h1").count() == 1
        assert_fits_the_screen(page)
        assert_accessible()
        kind = "stretch" if isinstance(item, Stretch) else "keyword"
        screenshot(f"{kind}-{item.slug}")


def test_patient_reads_the_article_and_opens_a_stretch(page, live_server):
    open_page(page, live_server, "/")
    assert page.locator("h1").inner_text() == "7 Daily Stretches for Back Pain Relief"
    card = page.locator("#seated-spinal-twist")
    assert card.locator(".guidance").inner_text() == "Hold 20–30 seconds, each side"
    card.get_by_role("link", name="4. Seated Spinal Twist").click()
    page.wait_for_url("**/stretches/seated-spinal-twist/")
    assert page.locator("h1").inner_text() == "Seated Spinal Twist"
    guidance = page.locator(".guidance")
    assert guidance.inner_text() == "Hold 20–30 seconds, each side"
    # Prominent: shown before the instructions, in type larger than the text.
    assert guidance.bounding_box()["y"] < page.locator(".steps").bounding_box()["y"]
    sizes = page.evaluate(
        "[getComputedStyle(document.querySelector('.guidance')).fontSize,"
        " getComputedStyle(document.body).fontSize].map(parseFloat)"
    )
    assert sizes[0] > sizes[1]


def test_skip_link_is_the_first_tab_stop_and_focus_is_visible(page, live_server):
    open_page(page, live_server, "/stretches/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert skip.is_visible() and skip.bounding_box()["y"] >= 0
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    # Following the link is a navigation the browser finishes on its own time.
    page.wait_for_url("**/stretches/#main")
    page.keyboard.press("Tab")
    # The next stop is inside the main content, not back in the header.
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_pages_fit_a_320_pixel_screen(browser, live_server):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        for path in [*PAGES.values(), "/stretches/figure-four-stretch/", "/keywords/chronic-pain/"]:
            open_page(page, live_server, path)
            assert_fits_the_screen(page)
    finally:
        context.close()


def test_printed_routine_keeps_the_steps_and_drops_the_navigation(page, live_server):
    open_page(page, live_server, "/")
    page.emulate_media(media="print")
    assert not page.locator(".site-nav").is_visible()
    assert not page.locator(".skip-link").is_visible()
    assert page.locator(".steps").first.is_visible()
    assert page.locator(".guidance").first.is_visible()
