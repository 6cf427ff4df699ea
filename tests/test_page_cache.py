"""Public pages are cached, but never stale: whatever staff save in the admin
shows on the very next request, and a browser that has the current page gets
a 304 instead of the page again."""

import gzip

import pytest
from django.urls import reverse

from clinic.page_cache import page_cache_comes_first
from stretches.models import Guide, GuideSection, Keyword, SectionPoint, Stretch

pytestmark = pytest.mark.django_db

READ_PAGES = [
    "/",
    "/guides/daily-stretches-for-back-pain/",
    "/stretches/",
    "/stretches/cobra-stretch/",
    "/keywords/chronic-pain/",
]


def unchanged_form(admin_client, url):
    """What the admin change page at `url` posts when staff change nothing:
    the main form and every inline, as the browser would send them (files
    left out)."""
    context = admin_client.get(url).context
    forms = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is True:
                value = "on"
            if value is not None and value is not False and not hasattr(value, "field"):
                data[form.add_prefix(name)] = value
    return data


def save_in_admin(admin_client, obj, **changes):
    url = reverse(f"admin:stretches_{obj._meta.model_name}_change", args=[obj.pk])
    response = admin_client.post(url, unchanged_form(admin_client, url) | changes)
    assert response.status_code == 302, response.context and response.context.get("errors")


def text_of(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_stretch_saved_by_staff_shows_on_the_next_request(admin_client, client):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    for path in ["/", "/stretches/", cobra.get_absolute_url()]:
        assert "Cobra Stretch" in text_of(client, path)
    save_in_admin(admin_client, cobra, title="Cobra Pose")
    for path in ["/", "/stretches/", cobra.get_absolute_url()]:
        assert "Cobra Pose" in text_of(client, path)


def test_a_step_saved_by_staff_shows_on_the_next_request(admin_client, client):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    text_of(client, cobra.get_absolute_url())
    save_in_admin(admin_client, cobra, **{"steps-0-text": "Lie face down, gently."})
    assert "Lie face down, gently." in text_of(client, cobra.get_absolute_url())


def test_a_keyword_renamed_by_staff_shows_on_the_next_request(admin_client, client):
    keyword = Keyword.objects.get(slug="chronic-pain")
    pages = ["/", "/stretches/knee-to-chest-stretch/", "/keywords/chronic-pain/"]
    for path in pages:
        text_of(client, path)
    save_in_admin(admin_client, keyword, name="long-term pain")
    for path in pages:
        assert "long-term pain" in text_of(client, path)


def test_a_guide_saved_by_staff_shows_on_the_next_request(admin_client, client):
    guide = Guide.objects.homepage()
    text_of(client, "/")
    save_in_admin(admin_client, guide, title="Seven Stretches for a Better Back")
    assert "Seven Stretches for a Better Back" in text_of(client, "/")


def test_a_guide_section_saved_by_staff_shows_on_the_next_request(admin_client, client):
    section = GuideSection.objects.filter(kind="text").exclude(heading="").first()
    text_of(client, "/")
    save_in_admin(admin_client, section, heading="Before You Begin")
    assert "Before You Begin" in text_of(client, "/")


def test_a_tip_saved_by_staff_shows_on_the_next_request(admin_client, client):
    point = SectionPoint.objects.first()
    text_of(client, "/")
    save_in_admin(admin_client, point.section, **{"points-0-text": "Move slowly, always."})
    assert "Move slowly, always." in text_of(client, "/")


def test_a_stretch_taken_out_of_the_guide_leaves_it_on_the_next_request(admin_client, client):
    guide = Guide.objects.homepage()
    assert 'id="cobra-stretch"' in text_of(client, "/")
    cobra_index = [link.stretch.slug for link in guide.guide_stretches.all()].index("cobra-stretch")
    save_in_admin(admin_client, guide, **{f"guide_stretches-{cobra_index}-DELETE": "on"})
    assert 'id="cobra-stretch"' not in text_of(client, "/")


@pytest.mark.parametrize("path", READ_PAGES)
def test_an_unchanged_page_answers_304_to_the_browsers_etag(client, path):
    etag = client.get(path)["ETag"]
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "no-cache"


def test_a_changed_page_answers_200_with_a_new_etag(client):
    old = client.get("/")["ETag"]
    Stretch.objects.get(slug="cobra-stretch").save()
    response = client.get("/", headers={"If-None-Match": old})
    assert response.status_code == 200
    assert response["ETag"] != old


@pytest.mark.parametrize("path", READ_PAGES)
def test_read_pages_carry_no_csrf_token_and_set_no_cookie(client, path):
    for _ in range(2):  # rendered, then from the cache
        response = client.get(path)
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert not response.cookies
        assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("path", READ_PAGES)
def test_read_pages_are_sent_compressed_to_browsers_that_accept_it(client, path):
    client.get(path)  # then served by PageCacheMiddleware
    plain = client.get(path)
    compressed = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert not plain.has_header("Content-Encoding")
    assert gzip.decompress(compressed.content) == plain.content
    assert int(compressed["Content-Length"]) == len(compressed.content)


def test_a_page_that_is_not_found_is_not_cached(client):
    assert client.get("/stretches/new-stretch/").status_code == 404
    Stretch.objects.create(title="New stretch", slug="new-stretch", benefit="Helps.")
    assert client.get("/stretches/new-stretch/").status_code == 200


def test_the_benchmark_baseline_is_hidden_unless_the_benchmark_turns_it_on(client, settings):
    assert client.get("/__baseline__/").status_code == 404
    settings.BENCHMARK_BASELINE = True
    response = client.get("/__baseline__/")
    assert response.status_code == 200
    assert response.content == b"baseline"


def test_a_stretch_unpublished_by_staff_is_gone_on_the_next_request(admin_client, client):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    for _ in range(2):
        assert client.get(cobra.get_absolute_url()).status_code == 200
    save_in_admin(admin_client, cobra, published="")
    assert client.get(cobra.get_absolute_url()).status_code == 404
    assert "Cobra Stretch" not in text_of(client, "/stretches/")


@pytest.mark.parametrize("path", READ_PAGES)
def test_cached_pages_keep_the_clickjacking_protection(client, path):
    for _ in range(3):  # rendered, then served ahead of the middleware that sets it
        assert client.get(path)["X-Frame-Options"] == "DENY"


def test_a_cached_page_refuses_a_host_that_is_not_allowed(client):
    for _ in range(2):
        client.get("/")
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


@pytest.mark.parametrize("path", READ_PAGES)
def test_cached_pages_keep_every_security_header(client, path):
    for _ in range(3):  # rendered, then served from the cache
        response = client.get(path)
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert "camera=()" in response["Permissions-Policy"]
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_the_clinics_name_saved_by_staff_shows_on_the_next_request(admin_client, client):
    assert "Back Pain Clinic" in text_of(client, "/")
    response = admin_client.post(
        reverse("admin:clinic_sitesettings_add"), {"clinic_name": "Spine Care Clinic"}
    )
    assert response.status_code == 302
    page = text_of(client, "/")
    assert "Spine Care Clinic" in page
    assert "Back Pain Clinic" not in page


def test_a_cached_page_asked_for_over_http_is_still_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    for _ in range(2):  # rendered and stored, then from the cache
        response = client.get("/stretches/", secure=True)
        assert response.status_code == 200
    response = client.get("/stretches/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/stretches/"


def test_the_page_cache_must_be_the_outermost_middleware_but_for_the_request_log(settings):
    assert page_cache_comes_first(None) == []
    page_cache = "clinic.page_cache.PageCacheMiddleware"
    others = [name for name in settings.MIDDLEWARE if name != page_cache]
    settings.MIDDLEWARE = [*others[:3], page_cache, *others[3:]]
    assert [error.id for error in page_cache_comes_first(None)] == ["clinic.E001"]
    settings.MIDDLEWARE = ["clinic.request_log.RequestLogMiddleware", page_cache, *others[1:]]
    assert page_cache_comes_first(None) == []
