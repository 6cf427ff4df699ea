"""Staff edit every part of the guide in the admin; nobody else gets in."""

import pytest
from django.urls import reverse

from stretches.models import Guide, GuideSection, Keyword, Stretch

pytestmark = pytest.mark.django_db


def admin_pages():
    stretch = Stretch.objects.get(slug="cobra-stretch")
    guide = Guide.objects.homepage()
    section = GuideSection.objects.filter(guide=guide).first()
    keyword = Keyword.objects.first()
    return [
        reverse("admin:index"),
        reverse("admin:stretches_stretch_changelist"),
        reverse("admin:stretches_stretch_changelist") + "?q=cobra",
        reverse("admin:stretches_stretch_changelist") + f"?keywords__id__exact={keyword.pk}",
        reverse("admin:stretches_stretch_add"),
        reverse("admin:stretches_stretch_change", args=[stretch.pk]),
        reverse("admin:stretches_keyword_changelist"),
        reverse("admin:stretches_keyword_change", args=[keyword.pk]),
        reverse("admin:stretches_guide_changelist"),
        reverse("admin:stretches_guide_changelist") + "?review=due",
        reverse("admin:stretches_guide_change", args=[guide.pk]),
        reverse("admin:stretches_guidesection_change", args=[section.pk]),
    ]


def test_staff_can_open_every_admin_page(admin_client):
    for path in admin_pages():
        assert admin_client.get(path).status_code == 200, path


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for path in admin_pages():
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("admin:login"))


def test_guides_due_for_review_are_flagged(admin_client):
    response = admin_client.get(reverse("admin:stretches_guide_changelist") + "?review=due")
    assert Guide.objects.homepage().title in response.content.decode()
    assert 'alt="True"' in response.content.decode()


def stretch_form(stretch, **changes):
    """The admin change form for a stretch, as the browser would post it."""
    steps = list(stretch.steps.all())
    links = list(stretch.stretch_keywords.all())
    data = {
        "title": stretch.title,
        "slug": stretch.slug,
        "position": stretch.position,
        "published": "on",
        "benefit": stretch.benefit,
        "hold_min_seconds": stretch.hold_min_seconds or "",
        "hold_max_seconds": stretch.hold_max_seconds or "",
        "repeat_min": stretch.repeat_min or "",
        "repeat_max": stretch.repeat_max or "",
        "review_every_months": stretch.review_every_months,
        "image_alt": "",
        "steps-TOTAL_FORMS": len(steps),
        "steps-INITIAL_FORMS": len(steps),
        "stretch_keywords-TOTAL_FORMS": len(links),
        "stretch_keywords-INITIAL_FORMS": len(links),
    }
    for index, step in enumerate(steps):
        data |= {
            f"steps-{index}-id": step.pk,
            f"steps-{index}-stretch": stretch.pk,
            f"steps-{index}-position": step.position,
            f"steps-{index}-text": step.text,
        }
    for index, link in enumerate(links):
        data |= {
            f"stretch_keywords-{index}-id": link.pk,
            f"stretch_keywords-{index}-stretch": stretch.pk,
            f"stretch_keywords-{index}-position": link.position,
            f"stretch_keywords-{index}-keyword": link.keyword_id,
        }
    return data | changes


def test_staff_edit_a_step_and_the_site_shows_it(admin_client, client):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    data = stretch_form(cobra, **{"steps-3-text": "Hold for 15 seconds, breathing slowly."})
    response = admin_client.post(reverse("admin:stretches_stretch_change", args=[cobra.pk]), data)
    assert response.status_code == 302
    assert (
        "Hold for 15 seconds, breathing slowly."
        in client.get(cobra.get_absolute_url()).content.decode()
    )


def test_admin_refuses_a_hold_range_upside_down(admin_client):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    data = stretch_form(cobra, hold_min_seconds=30, hold_max_seconds=10)
    response = admin_client.post(reverse("admin:stretches_stretch_change", args=[cobra.pk]), data)
    assert response.status_code == 200
    assert "The upper number must not be below the lower one." in response.content.decode()
    cobra.refresh_from_db()
    assert (cobra.hold_min_seconds, cobra.hold_max_seconds) == (10, 20)
