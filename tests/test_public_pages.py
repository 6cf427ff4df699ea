import pytest
from django.urls import reverse

from stretches.models import Guide, Stretch
from tests.factories import add_to_guide, make_keyword, make_stretch
from tests.page_text import visible_text

pytestmark = pytest.mark.django_db


def test_home_page_links_each_stretch_to_its_own_page(client):
    response = client.get("/")
    assert response.status_code == 200
    for stretch in Stretch.objects.all():
        assert f'href="{stretch.get_absolute_url()}"' in response.content.decode()


def test_home_page_shows_the_guides_review_date_when_set(client):
    guide = Guide.objects.homepage()
    guide.last_reviewed_on = "2026-03-01"
    guide.reviewed_by = "Dr A. Jones, pain physician"
    guide.awaiting_clinical_review = False
    guide.save()
    page = visible_text(client.get("/").content.decode())
    assert "Reviewed by Dr A. Jones, pain physician on 1 March 2026." in page


def test_guide_has_its_own_address(client):
    guide = Guide.objects.homepage()
    response = client.get(reverse("stretches:guide", kwargs={"slug": guide.slug}))
    assert response.status_code == 200
    assert guide.title in response.content.decode()


def test_stretch_list_shows_every_published_stretch(client):
    hidden = make_stretch(title="Draft stretch", published=False)
    response = client.get("/stretches/")
    assert response.status_code == 200
    page = visible_text(response.content.decode())
    for stretch in Stretch.objects.published():
        assert stretch.title in page
    assert hidden.title not in page


def test_stretch_list_is_paginated(client):
    for _ in range(60):
        make_stretch()
    first = client.get("/stretches/")
    assert first.context["page_obj"].paginator.num_pages == 3  # 67 stretches, 24 a page
    assert 'rel="next"' in first.content.decode()
    assert client.get("/stretches/?page=2").status_code == 200
    assert client.get("/stretches/?page=99").status_code == 404


def test_stretch_page_shows_benefit_numbered_steps_guidance_and_keywords(client):
    response = client.get("/stretches/seated-spinal-twist/")
    html = response.content.decode()
    page = visible_text(html)
    assert response.status_code == 200
    assert "The seated spinal twist stretches the spine" in page
    assert '<ol class="steps">' in html
    assert "Hold 20–30 seconds, each side" in page
    assert 'href="/keywords/spine-health/"' in html
    assert "Keywords: advanced pain management, pain relief management, spine health" in page


def test_keyword_page_lists_only_the_stretches_with_that_keyword(client):
    response = client.get("/keywords/chronic-pain/")
    page = visible_text(response.content.decode())
    assert response.status_code == 200
    assert "Knee-to-Chest Stretch" in page
    assert "Figure Four Stretch" in page
    assert "Cobra Stretch" not in page


def test_keyword_page_leaves_out_unpublished_stretches(client):
    keyword = make_keyword("hip mobility", slug="hip-mobility")
    make_stretch(title="Hidden hip stretch", keywords=[keyword], published=False)
    page = visible_text(client.get("/keywords/hip-mobility/").content.decode())
    assert "Hidden hip stretch" not in page
    assert "There are no stretches here yet." in page


def test_unpublished_stretch_is_left_out_of_the_guide(client):
    guide = Guide.objects.homepage()
    draft = make_stretch(title="Unfinished stretch", published=False)
    add_to_guide(guide, [draft])
    assert "Unfinished stretch" not in client.get("/").content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/stretches/no-such-stretch/",
        "/keywords/no-such-keyword/",
        "/guides/no-such-guide/",
        "/no-such-page/",
    ],
)
def test_unknown_addresses_get_the_sites_404_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_unpublished_stretch_page_is_404(client):
    draft = make_stretch(published=False)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_unpublished_guide_is_404_and_home_falls_back(client):
    Guide.objects.update(published=False)
    assert client.get("/guides/daily-stretches-for-back-pain/").status_code == 404
    response = client.get("/")
    assert response.status_code == 200
    assert "all stretches" in response.content.decode()


def test_every_page_shares_the_header_and_footer(client):
    for path in ["/", "/stretches/", "/stretches/cobra-stretch/", "/keywords/spine-health/"]:
        html = client.get(path).content.decode()
        assert "Follow us on social media!" in html
        assert 'href="/stretches/"' in html
        assert html.count("<h1") == 1
