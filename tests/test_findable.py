"""Search engines find every page: unique titles and descriptions, canonical
links, Open Graph tags, schema.org JSON-LD, /sitemap.xml and /robots.txt."""

import json
import re
from xml.etree import ElementTree

import pytest

from stretches.models import Guide, Keyword, Stretch
from tests.booking.builders import make_clinician, make_location
from tests.factories import make_guide, make_keyword, make_stretch

pytestmark = pytest.mark.django_db

SITE = "https://clinic.example"


@pytest.fixture(autouse=True)
def site_address(settings):
    """The site's public address, which differs from the test client's host
    (testserver): every absolute link must come from it."""
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["testserver", "clinic.example"]


def head(html):
    """The page's title, meta description, canonical link and og: tags."""
    found = {"title": re.search(r"<title>(.*?)</title>", html, re.S).group(1)}
    for name, content in re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)"', html):
        found[name] = content
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html)
    found["canonical"] = canonical.group(1) if canonical else None
    return found


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def public_paths():
    return [
        "/",
        "/guides/",
        "/stretches/",
        *(stretch.get_absolute_url() for stretch in Stretch.objects.published()),
        *(keyword.get_absolute_url() for keyword in Keyword.objects.all()),
    ]


def test_every_page_has_its_own_title_and_description(client):
    heads = [head(client.get(path).content.decode()) for path in public_paths()]
    titles = [h["title"] for h in heads]
    descriptions = [h["description"] for h in heads]
    assert len(set(titles)) == len(titles) == 19
    assert len(set(descriptions)) == len(descriptions)
    assert all(len(d) >= 50 for d in descriptions), descriptions


def test_keywords_feed_a_stretchs_title_and_description(client):
    found = head(client.get("/stretches/knee-to-chest-stretch/").content.decode())
    assert found["title"] == "Knee-to-Chest Stretch – chronic pain | Back Pain Clinic"
    assert "Hold 20–30 seconds, each side." in found["description"]
    assert "For chronic pain, back spine pain relief" in found["description"]
    assert len(found["description"]) <= 200


def test_every_page_has_an_absolute_canonical_link_and_open_graph_tags(client):
    for path in public_paths():
        found = head(client.get(path).content.decode())
        assert found["canonical"] == f"{SITE}{path}"
        assert found["og:url"] == found["canonical"]
        assert found["og:title"] and found["og:description"] and found["og:type"]
        assert found["og:site_name"] == "Back Pain Clinic"


def test_the_home_pages_guide_has_one_canonical_address(client):
    html = client.get(Guide.objects.homepage().get_absolute_url()).content.decode()
    assert head(html)["canonical"] == f"{SITE}/"


def test_later_pages_of_a_list_are_their_own_canonical(client):
    for _ in range(55):
        make_stretch()
    found = head(client.get("/stretches/?page=2").content.decode())
    assert found["canonical"] == f"{SITE}/stretches/?page=2"
    assert "(page 2)" in found["title"]


def test_the_guide_is_an_article_with_each_stretch_as_a_how_to(client):
    data = json_ld(client.get("/").content.decode())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Article"
    assert data["headline"] == "7 Daily Stretches for Back Pain Relief"
    assert data["url"] == f"{SITE}/"
    assert data["publisher"]["name"] == "Back Pain Clinic"
    assert [part["name"] for part in data["hasPart"]][:2] == ["Child’s Pose", "Cat-Cow Stretch"]
    assert len(data["hasPart"]) == 7
    assert "lower back pain relief" in data["keywords"]


def test_a_stretch_is_a_how_to_with_its_steps_and_hold_time(client):
    knee = Stretch.objects.get(slug="knee-to-chest-stretch")
    data = json_ld(client.get(knee.get_absolute_url()).content.decode())
    assert data["@type"] == "HowTo"
    assert data["name"] == "Knee-to-Chest Stretch"
    assert data["performTime"] == "PT30S"
    assert data["description"].endswith("Hold 20–30 seconds, each side.")
    assert data["step"] == [
        {"@type": "HowToStep", "position": position, "text": step.text}
        for position, step in enumerate(knee.steps.all(), start=1)
    ]


def test_a_repeated_stretch_has_no_hold_time(client):
    data = json_ld(client.get("/stretches/cat-cow-stretch/").content.decode())
    assert "performTime" not in data
    assert data["description"].endswith("Repeat 5–10 times.")


def test_json_ld_cannot_close_its_script_block(client):
    make_stretch(title="Bad </script><script>alert(1)</script>", slug="bad")
    html = client.get("/stretches/bad/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block
    assert json.loads(block)["name"] == "Bad </script><script>alert(1)</script>"


def sitemap_locations(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    tree = ElementTree.fromstring(response.content)
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return [loc.text for loc in tree.findall("s:url/s:loc", namespace)]


def test_sitemap_lists_every_published_guide_stretch_and_keyword_page_and_the_routine(client):
    expected = [f"{SITE}{path}" for path in public_paths()]
    other = make_guide(title="Stretches at work", slug="stretches-at-work")
    make_guide(slug="draft-guide", published=False)
    make_stretch(
        slug="draft-stretch", keywords=[make_keyword(slug="only-on-drafts")], published=False
    )
    locations = sitemap_locations(client)
    expected += [f"{SITE}{other.get_absolute_url()}", f"{SITE}/routine/"]
    assert sorted(locations) == sorted(expected)
    assert f"{SITE}/stretches/draft-stretch/" not in locations
    assert f"{SITE}/keywords/only-on-drafts/" not in locations


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines


@pytest.mark.parametrize("admin_url", ["admin/", "clinic-staff/"])
def test_robots_txt_does_not_advertise_the_admins_path(client, settings, admin_url):
    settings.ADMIN_URL = admin_url
    text = client.get("/robots.txt").content.decode()
    assert "admin" not in text
    assert admin_url.strip("/") not in text
    assert [line for line in text.splitlines() if line.startswith("Disallow")] == ["Disallow:"]


@pytest.mark.parametrize("host", ["clinic.example:31337", "testserver"])
def test_no_absolute_link_comes_from_the_requests_host(client, host):
    """One visitor's Host header must not reach the canonical link, Open Graph,
    JSON-LD or the sitemap, neither in their own page nor in the cached copy
    the next visitor gets."""
    knee = Stretch.objects.get(slug="knee-to-chest-stretch")
    for path in ["/", knee.get_absolute_url(), "/stretches/", "/sitemap.xml", "/robots.txt"]:
        for headers in [{"Host": host}, {}]:  # the chosen host first, then a plain request
            text = client.get(path, headers=headers).content.decode()
            assert "31337" not in text and "testserver" not in text, (path, headers)
            assert SITE in text
    data = json_ld(client.get(knee.get_absolute_url()).content.decode())
    assert data["url"] == f"{SITE}{knee.get_absolute_url()}"


def test_the_sitemap_uses_the_site_addresss_scheme_whatever_the_request_used(client):
    clinician, location = make_clinician(), make_location()
    locations = sitemap_locations(client)  # the test client asks over http
    assert f"{SITE}{clinician.get_absolute_url()}" in locations
    assert f"{SITE}{location.get_absolute_url()}" in locations
    assert all(location.startswith(f"{SITE}/") for location in locations)


def test_the_not_found_page_asks_not_to_be_indexed(client):
    html = client.get("/no-such-page/").content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert head(html)["canonical"] is None
