"""Rules every public page keeps: everything is served by the site itself (no
third-party requests, so a self-only content security policy fits), no inline
script or style, nothing unique per response on a read page, and the
landmarks a screen reader navigates by."""

import gzip
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from stretches.models import Keyword, Stretch

pytestmark = pytest.mark.django_db


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html):
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def read_pages(client):
    paths = ["/", "/stretches/", "/no-such-page/"]
    paths += ["/routine/", "/routine/diary/", "/routine/print/"]
    paths += [stretch.get_absolute_url() for stretch in Stretch.objects.all()]
    paths += [keyword.get_absolute_url() for keyword in Keyword.objects.all()]
    return {path: client.get(path) for path in paths}


def fetched_addresses(html):
    """What a browser loads for the page: scripts, stylesheets, icons, images."""
    for tag, attrs in tags(html):
        if tag == "script" and "src" in attrs:
            yield attrs["src"]
        elif tag == "link" and attrs.get("rel") in {"stylesheet", "icon", "preload", "manifest"}:
            yield attrs["href"]
        elif tag in {"img", "source", "iframe", "video", "audio"}:
            yield from filter(None, [attrs.get("src")])
            for candidate in attrs.get("srcset", "").split(","):
                if candidate.strip():
                    yield candidate.split()[0]


def test_pages_load_nothing_from_another_site(client):
    for path, response in read_pages(client).items():
        for address in fetched_addresses(response.content.decode()):
            assert address.startswith("/") and not address.startswith("//"), (path, address)


def test_the_stylesheet_loads_nothing_from_another_site():
    for css in Path(settings.BASE_DIR, "static").rglob("*.css"):
        text = css.read_text()
        assert "@import" not in text
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), css


def test_pages_have_no_inline_script_or_style(client):
    for path, response in read_pages(client).items():
        html = response.content.decode()
        assert "<style" not in html, path
        for tag, attrs in tags(html):
            assert "style" not in attrs, (path, tag)
            assert not any(name.startswith("on") for name in attrs), (path, tag)
            if tag == "script" and "src" not in attrs:
                # Data for scripts, never run: JSON-LD and json_script blocks.
                assert attrs.get("type") in {"application/ld+json", "application/json"}, (
                    path,
                    attrs,
                )


def test_read_pages_are_the_same_for_everyone(client):
    """No CSRF token, cookie or other per-response content: a cache may keep them."""
    first = read_pages(client)
    client.cookies.clear()
    for path, response in read_pages(client).items():
        assert response.content == first[path].content, path
        assert not response.cookies, path
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert "Cookie" not in response.get("Vary", ""), path


def test_pages_have_a_language_a_skip_link_and_landmarks(client):
    for path, response in read_pages(client).items():
        html = response.content.decode()
        assert '<html lang="en-GB">' in html
        found = tags(html)
        names = [tag for tag, _ in found]
        first_in_body = found[names.index("body") + 1]
        assert first_in_body == ("a", {"class": "skip-link", "href": "#main"}), path
        for landmark in ["header", "nav", "main", "footer"]:
            assert landmark in names, (path, landmark)
        assert ("main", {"id": "main", "class": "wrap", "tabindex": "-1"}) in found
        assert names.count("h1") == 1, path


def test_headings_never_skip_a_level(client):
    for path, response in read_pages(client).items():
        levels = [
            int(tag[1])
            for tag, _ in tags(response.content.decode())
            if re.fullmatch(r"h[1-6]", tag)
        ]
        assert levels[0] == 1, path
        for previous, level in itertools.pairwise(levels):
            assert level <= previous + 1, (path, levels)


def test_the_article_page_weighs_under_60_kb_compressed(client):
    """HTML and everything it loads (stylesheet, icons), gzipped as served."""
    html = client.get("/").content
    total = len(gzip.compress(html))
    for address in set(fetched_addresses(html.decode())):
        if not address.startswith("/static/"):  # the web app manifest, a page of its own
            total += len(gzip.compress(client.get(address).content))
            continue
        path = finders.find(address.removeprefix(settings.STATIC_URL).removeprefix("/static/"))
        assert path, address
        total += len(gzip.compress(Path(path).read_bytes()))
    for css in re.findall(r'href="(/static/[^"]+\.css)"', html.decode()):
        stylesheet = Path(finders.find(css.removeprefix("/static/"))).read_text()
        for image in re.findall(r'url\("?\.\./([^")]+)"?\)', stylesheet):
            total += len(gzip.compress(Path(finders.find(image)).read_bytes()))
    assert total < 60 * 1024, total
