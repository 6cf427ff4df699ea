"""A stretch's image reaches a phone as a phone-sized rendition, with its
space kept before it loads, and the page stays accessible."""

import pytest

from stretches.models import Stretch
from stretches.services import refresh_image_renditions
from tests.images import image_upload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.urls("tests.media_urls"),
]

EXPECTED_RENDITION = {"phone": "-640w.webp", "desktop": "-960w.webp"}


def test_the_browser_loads_the_rendition_that_fits_the_screen(
    page, live_server, viewport, assert_accessible, screenshot
):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    cobra.image = image_upload("cobra.jpg", size=(1600, 1000))
    cobra.image_alt = "A person lying face down, lifting their chest on straight arms"
    cobra.save()
    refresh_image_renditions(stretch=cobra)

    page.goto(live_server.url + cobra.get_absolute_url())
    image = page.locator(".stretch-figure img")
    image.wait_for()
    page.wait_for_function("document.querySelector('.stretch-figure img').complete")
    loaded = image.evaluate(
        "img => ({src: img.currentSrc, natural: img.naturalWidth,"
        " width: img.getAttribute('width'), height: img.getAttribute('height'),"
        " shown: img.getBoundingClientRect().width})"
    )
    assert loaded["src"].endswith(EXPECTED_RENDITION[viewport]), loaded
    assert loaded["natural"] > 0
    assert (loaded["width"], loaded["height"]) == ("640", "400")
    assert loaded["shown"] <= page.viewport_size["width"]
    assert_accessible()
    screenshot("stretch-with-image")
