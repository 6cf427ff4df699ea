"""Page addresses are worked out once, and still follow the URLconf and the
script prefix the site is served under."""

import pytest
from django.urls import clear_script_prefix, path, reverse, set_script_prefix

from clinic.page_urls import page_url
from tests.factories import make_stretch


def a_view(request):
    raise AssertionError("never called")


urlpatterns = [
    path("elsewhere/<slug:slug>/", a_view, name="somewhere"),
]


def test_an_address_is_the_one_reverse_gives():
    assert page_url("stretches:detail", slug="cat-cow") == reverse(
        "stretches:detail", kwargs={"slug": "cat-cow"}
    )
    assert page_url("stretches:routine") == reverse("stretches:routine")


@pytest.mark.django_db
def test_a_stretch_links_to_its_own_page():
    stretch = make_stretch(title="Child's Pose")
    assert stretch.get_absolute_url() == f"/stretches/{stretch.slug}/"


def test_another_urlconf_gets_its_own_addresses(settings):
    assert page_url("stretches:detail", slug="cat-cow") == "/stretches/cat-cow/"
    settings.ROOT_URLCONF = __name__
    assert page_url("somewhere", slug="cat-cow") == "/elsewhere/cat-cow/"


def test_under_a_script_prefix_addresses_start_with_it():
    set_script_prefix("/clinic/")
    try:
        assert page_url("stretches:detail", slug="cat-cow") == "/clinic/stretches/cat-cow/"
    finally:
        clear_script_prefix()
    assert page_url("stretches:detail", slug="cat-cow") == "/stretches/cat-cow/"
