"""Staff set the clinic's name, logo and social links in the admin; every
page shows them, and a link appears only once it is set."""

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse

from clinic.models import SiteSettings
from tests.images import image_upload
from tests.page_text import visible_text

pytestmark = pytest.mark.django_db


def test_without_a_record_the_site_uses_the_clinic_name_setting(client, settings):
    settings.CLINIC_NAME = "Spine & Back Clinic"
    html = client.get("/stretches/").content.decode()
    assert "Spine &amp; Back Clinic" in html
    assert "<title>Stretches for back pain | Spine &amp; Back Clinic</title>" in html


def test_saved_name_shows_in_header_title_and_footer(client):
    SiteSettings.objects.create(clinic_name="Northside Pain Clinic")
    response = client.get("/stretches/")
    page = visible_text(response.content.decode())
    assert page.startswith("Skip to main content\nNorthside Pain Clinic")
    assert "© " in page and "Northside Pain Clinic" in page.splitlines()[-1]
    assert "| Northside Pain Clinic</title>" in response.content.decode()


def test_only_the_social_links_that_are_set_are_shown(client):
    SiteSettings.objects.create(
        clinic_name="Clinic", facebook_url="https://facebook.example/clinic"
    )
    html = client.get("/").content.decode()
    assert 'href="https://facebook.example/clinic"' in html
    assert ">Facebook</a>" in html
    for network in ["Instagram", "YouTube", "LinkedIn", "TikTok", "X (Twitter)"]:
        assert f">{network}</a>" not in html


def test_no_social_links_leaves_only_the_invitation(client):
    html = client.get("/").content.decode()
    assert "Follow us on social media!" in html
    assert 'class="social-links"' not in html


def test_saving_the_record_clears_the_cached_copy(client):
    site = SiteSettings.objects.create(clinic_name="Before")
    assert "Before" in client.get("/stretches/").content.decode()
    site.clinic_name = "After"
    site.save()
    assert "After" in client.get("/stretches/").content.decode()


def test_there_is_only_ever_one_record():
    SiteSettings.objects.create(clinic_name="One")
    with pytest.raises(IntegrityError), transaction.atomic():
        SiteSettings.objects.create(clinic_name="Two")
    with pytest.raises(IntegrityError), transaction.atomic():
        SiteSettings.objects.create(id=2, clinic_name="Two")


def test_a_logo_replaces_the_default_mark_with_its_size_set(client, settings):
    settings.SITE_URL = "https://clinic.example"
    SiteSettings.objects.create(
        clinic_name="Clinic", logo=image_upload("logo.png", size=(120, 48), image_format="PNG")
    )
    html = client.get("/").content.decode()
    assert 'src="/media/site/logo' in html
    assert 'width="120" height="48"' in html
    assert 'property="og:image" content="https://clinic.example/media/site/logo' in html


def test_staff_edit_the_settings_through_one_admin_page(admin_client, client):
    changelist = reverse("admin:clinic_sitesettings_changelist")
    add = reverse("admin:clinic_sitesettings_add")
    assert admin_client.get(changelist)["Location"] == add
    response = admin_client.post(
        add,
        {"clinic_name": "Riverside Back Clinic", "instagram_url": "https://instagram.example/rb"},
    )
    assert response.status_code == 302
    change = reverse("admin:clinic_sitesettings_change", args=[1])
    assert admin_client.get(changelist)["Location"] == change
    assert admin_client.get(add).status_code == 403
    assert admin_client.get(change).status_code == 200
    html = client.get("/").content.decode()
    assert "Riverside Back Clinic" in html
    assert 'href="https://instagram.example/rb"' in html


def test_admin_refuses_a_social_link_that_is_not_an_address(admin_client):
    response = admin_client.post(
        reverse("admin:clinic_sitesettings_add"),
        {"clinic_name": "Clinic", "facebook_url": "not a link"},
    )
    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert not SiteSettings.objects.exists()


def test_an_uploaded_logo_is_served_at_the_height_it_is_shown(admin_client, client):
    response = admin_client.post(
        reverse("admin:clinic_sitesettings_add"),
        {"clinic_name": "Clinic", "logo": image_upload("logo.png", (1000, 400), "PNG")},
    )
    assert response.status_code == 302
    site = SiteSettings.objects.get()
    assert [(r["width"], r["height"]) for r in site.logo_renditions] == [(120, 48), (240, 96)]
    html = client.get("/").content.decode()
    small, large = (f"/media/{r['name']}" for r in site.logo_renditions)
    assert f'src="{small}" srcset="{small} 120w, {large} 240w" sizes="120px"' in html
    assert 'width="120" height="48"' in html


def test_a_replaced_logo_leaves_no_files_behind(admin_client, django_capture_on_commit_callbacks):
    add = reverse("admin:clinic_sitesettings_add")
    change = reverse("admin:clinic_sitesettings_change", args=[1])
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(add, {"clinic_name": "Clinic", "logo": image_upload("logo.png")})
    site = SiteSettings.objects.get()
    old_files = [site.logo.name, *(r["name"] for r in site.logo_renditions)]
    assert all(default_storage.exists(name) for name in old_files)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            change, {"clinic_name": "Clinic", "logo": image_upload("logo.png", (800, 400))}
        )
    assert response.status_code == 302
    site.refresh_from_db()
    new_files = [site.logo.name, *(r["name"] for r in site.logo_renditions)]
    assert not set(old_files) & set(new_files)
    assert all(default_storage.exists(name) for name in new_files)
    assert not any(default_storage.exists(name) for name in old_files)


def test_staff_set_how_many_hours_before_appointments_reminders_go(admin_client):
    response = admin_client.post(
        reverse("admin:clinic_sitesettings_add"),
        {"clinic_name": "Clinic", "reminder_hours_before": 48},
    )
    assert response.status_code == 302
    assert SiteSettings.current().reminder_hours_before == 48


def test_reminders_go_24_hours_before_when_the_box_is_left_empty(admin_client):
    response = admin_client.post(
        reverse("admin:clinic_sitesettings_add"), {"clinic_name": "Clinic"}
    )
    assert response.status_code == 302
    assert SiteSettings.current().reminder_hours_before == 24


def test_reminders_cannot_be_set_more_than_a_week_ahead(admin_client):
    response = admin_client.post(
        reverse("admin:clinic_sitesettings_add"),
        {"clinic_name": "Clinic", "reminder_hours_before": 169},
    )
    assert response.status_code == 200
    assert "less than or equal to 168" in response.content.decode()
    assert not SiteSettings.objects.exists()
