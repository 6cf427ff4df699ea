"""What a browser downloads: static files under content-hashed names it may
keep for ever, and an article page that stays light once compressed."""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

ARTICLE_BUDGET = 60 * 1024  # bytes, HTML + CSS + JS, compressed


@pytest.fixture
def collected_static(settings, tmp_path):
    """The production static set-up: collectstatic into a temporary folder."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "clinic.static_files.StaticFilesStorage"}
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


def test_each_static_address_is_the_manifests_and_a_missing_file_is_refused_each_time(
    collected_static,
):
    from django.contrib.staticfiles.storage import staticfiles_storage
    from whitenoise.storage import CompressedManifestStaticFilesStorage

    whitenoise = CompressedManifestStaticFilesStorage()
    for _ in range(2):
        assert staticfiles_storage.url("css/site.css") == whitenoise.url("css/site.css")
        assert re.fullmatch(
            r"/static/css/site\.[0-9a-f]{12}\.css", staticfiles_storage.url("css/site.css")
        )
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            staticfiles_storage.url("css/no-such-file.css")


def linked_static_files(html):
    return re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)


def test_production_pages_link_static_files_by_content_hash(collected_static):
    html = Client().get("/").content.decode()
    assert re.search(r'href="/static/css/site\.[0-9a-f]{12}\.css"', html)


def test_hashed_static_files_are_cached_for_ever_and_sent_compressed(collected_static):
    client = Client()  # made after the settings change, so WhiteNoise sees them
    urls = linked_static_files(client.get("/").content.decode())
    assert urls
    for url in urls:
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert "max-age=315360000" in response["Cache-Control"]
        assert "immutable" in response["Cache-Control"]
        assert response["Content-Encoding"] == "gzip"
        response.close()


def test_the_article_page_weighs_under_60_kb_compressed(client):
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    weight = len(response.content)
    for url in linked_static_files(gzip.decompress(response.content).decode()):
        path = finders.find(url.removeprefix("/static/"))
        with open(path, "rb") as static_file:
            weight += len(gzip.compress(static_file.read()))
    assert weight < ARTICLE_BUDGET


def test_browsers_find_a_favicon_at_the_sites_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    response.close()
