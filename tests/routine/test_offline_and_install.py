"""What lets the routine work offline and install to a home screen: the
service worker at the site's root, versioned by the content, and the web app
manifest with its icons."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from stretches.models import Stretch

pytestmark = pytest.mark.django_db


def worker_constant(script, name):
    return json.loads(re.search(rf"^const {name} = (.*);$", script, re.M).group(1))


def test_the_service_worker_is_served_from_the_sites_root_as_javascript(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert 'self.addEventListener("fetch"' in response.content.decode()


def test_the_service_worker_keeps_the_routine_its_script_and_its_styles(client):
    precache = worker_constant(client.get("/sw.js").content.decode(), "PRECACHE")
    for address in ["/routine/", "/static/js/routine.js", "/static/css/routine.css"]:
        assert address in precache
    for address in precache:
        if address.startswith("/static/"):
            assert finders.find(address.removeprefix("/static/")), address
        else:
            assert client.get(address).status_code == 200, address


def test_a_staff_edit_gives_the_service_worker_a_new_version(client):
    before = worker_constant(client.get("/sw.js").content.decode(), "VERSION")
    assert worker_constant(client.get("/sw.js").content.decode(), "VERSION") == before
    cobra = Stretch.objects.get(slug="cobra-stretch")
    cobra.hold_max_seconds = 25
    cobra.save()
    after = worker_constant(client.get("/sw.js").content.decode(), "VERSION")
    assert after != before


def test_the_service_worker_is_allowed_by_the_content_security_policy(client):
    policy = client.get("/routine/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    worker_source = directives.get("worker-src", directives.get("script-src"))
    assert worker_source == "'self'"
    assert "unsafe-inline" not in policy


def test_the_screen_may_be_kept_awake(client):
    policy = client.get("/routine/").get("Permissions-Policy", "")
    assert "screen-wake-lock=()" not in policy


def test_the_manifest_opens_the_routine_and_names_the_clinic(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/routine/"
    assert manifest["display"] == "standalone"
    assert manifest["name"].startswith("Back Pain Clinic")


def test_the_manifests_icons_are_png_images_of_the_size_they_claim(client):
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    sizes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


def test_every_page_links_the_manifest(client):
    for path in ["/", "/stretches/", "/routine/"]:
        assert (
            '<link rel="manifest" href="/manifest.webmanifest">'
            in client.get(path).content.decode()
        )
