"""Every save of health content in the admin keeps a version: who saved it,
when, and everything the stretch or guide was made of."""

import pytest
from django.urls import reverse
from reversion.models import Version

from stretches.models import Guide, GuideSection, Step, StretchKeyword
from tests.factories import make_guide, make_keyword, make_stretch
from tests.staff import staff_in
from tests.test_stretch_admin import stretch_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = staff_in("Content editors", username="edith")
    client.force_login(user)
    client.user = user
    return client


def test_saving_a_stretch_in_the_admin_keeps_a_version_naming_the_editor(editor):
    stretch = make_stretch(title="Cat-Cow")
    data = stretch_form(stretch, **{"steps-0-text": "Kneel on all fours."})
    response = editor.post(reverse("admin:stretches_stretch_change", args=[stretch.pk]), data)
    assert response.status_code == 302
    version = Version.objects.get_for_object(stretch).get()
    assert version.revision.user == editor.user


def test_a_stretchs_version_holds_its_steps_and_keyword_links(editor):
    stretch = make_stretch(steps=["Lie down.", "Pull one knee in."], keywords=[make_keyword()])
    editor.post(reverse("admin:stretches_stretch_change", args=[stretch.pk]), stretch_form(stretch))
    revision = Version.objects.get_for_object(stretch).get().revision
    held = {version.content_type.model_class() for version in revision.version_set.all()}
    assert {Step, StretchKeyword} <= held
    step_texts = {
        version.field_dict["text"]
        for version in revision.version_set.all()
        if version.content_type.model_class() is Step
    }
    assert step_texts == {"Lie down.", "Pull one knee in."}


def test_editing_a_section_on_its_own_page_keeps_a_version_of_the_whole_guide(editor):
    guide = make_guide()
    section = guide.sections.get(position=1)
    data = {
        "guide": guide.pk,
        "position": 1,
        "kind": "text",
        "heading": "Before you start",
        "body": "Warm up for five minutes.",
        "closing": "",
        "points-TOTAL_FORMS": 0,
        "points-INITIAL_FORMS": 0,
    }
    response = editor.post(reverse("admin:stretches_guidesection_change", args=[section.pk]), data)
    assert response.status_code == 302
    assert Version.objects.get_for_object(guide).count() == 1
    held = {
        v.object_id
        for v in Version.objects.get_for_object(guide).get().revision.version_set.all()
        if v.content_type.model_class() is GuideSection
    }
    assert held == {str(pk) for pk in guide.sections.values_list("pk", flat=True)}


def test_the_history_page_shows_who_changed_what_and_offers_a_comparison(editor):
    stretch = make_stretch(title="Pelvic tilt")
    url = reverse("admin:stretches_stretch_change", args=[stretch.pk])
    editor.post(url, stretch_form(stretch, benefit="Eases the lower back."))
    editor.post(url, stretch_form(stretch, benefit="Eases stiffness in the lower back."))
    page = editor.get(reverse("admin:stretches_stretch_history", args=[stretch.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("edith") >= 2
    assert "Compare two versions" in text
    assert reverse("admin:stretches_stretch_compare", args=[stretch.pk]) in text


def test_guides_keep_versions_when_saved_in_the_admin(admin_client):
    guide = Guide.objects.homepage()
    data = {
        "title": "A new title",
        "slug": guide.slug,
        "summary": guide.summary,
        "published": "on",
        "is_homepage": "on",
        "review_every_months": 12,
        "sections-TOTAL_FORMS": 0,
        "sections-INITIAL_FORMS": 0,
        "guide_stretches-TOTAL_FORMS": 0,
        "guide_stretches-INITIAL_FORMS": 0,
    }
    response = admin_client.post(reverse("admin:stretches_guide_change", args=[guide.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    version = Version.objects.get_for_object(guide).get()
    assert version.field_dict["title"] == "A new title"
