"""Staff compare two versions as readable changes and revert to an earlier
one: a stretch comes back with its steps and keywords, a guide with its
sections, points and stretch order, the site shows it at once, and the audit
trail records who did it."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from stretches.history import revert
from stretches.models import Guide, GuideStretch, SectionPoint, Step
from tests.content.helpers import saved_version
from tests.factories import make_guide, make_keyword, make_stretch
from tests.page_text import visible_text
from tests.staff import staff_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = staff_in("Content editors", username="edith")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def edited_stretch():
    """A stretch saved twice: the first version had other steps and keywords."""
    back, hips = make_keyword("back pain"), make_keyword("tight hips")
    stretch = make_stretch(
        title="Knee to chest", steps=["Lie on your back.", "Hug one knee."], keywords=[back, hips]
    )
    first = saved_version(
        stretch, save_children=[*stretch.steps.all(), *stretch.stretch_keywords.all()]
    )
    stretch.steps.filter(position=2).delete()
    Step.objects.create(stretch=stretch, position=2, text="Hug both knees.")
    Step.objects.create(stretch=stretch, position=3, text="Rock gently.")
    stretch.stretch_keywords.get(keyword=back).delete()
    stretch.benefit = "Releases the hips."
    second = saved_version(
        stretch, save_children=[*stretch.steps.all(), *stretch.stretch_keywords.all()]
    )
    return stretch, first, second


def compare_url(stretch, older, newer):
    url = reverse("admin:stretches_stretch_compare", args=[stretch.pk])
    return f"{url}?from={older.pk}&to={newer.pk}"


def test_the_comparison_shows_changed_fields_and_steps_as_added_and_removed_lines(
    editor, edited_stretch
):
    stretch, first, second = edited_stretch
    response = editor.get(compare_url(stretch, first, second))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<del>− 2. Hug one knee.</del>" in page
    assert "<ins>+ 2. Hug both knees.</ins>" in page
    assert "<ins>+ 3. Rock gently.</ins>" in page
    assert "<del>− back pain</del>" in page
    assert "<ins>+ Releases the hips.</ins>" in page
    # Unchanged parts are not listed.
    assert "Address (slug)" not in page


def test_a_version_of_another_stretch_cannot_be_compared(editor, edited_stretch):
    stretch, first, _ = edited_stretch
    other = make_stretch()
    other_version = saved_version(other)
    response = editor.get(compare_url(stretch, first, other_version))
    assert response.status_code == 404


@pytest.mark.parametrize("bad", ["x", "", "99999999", "1e9", "-1"])
def test_nonsense_version_numbers_are_not_found_rather_than_errors(editor, edited_stretch, bad):
    stretch, first, _ = edited_stretch
    url = reverse("admin:stretches_stretch_compare", args=[stretch.pk])
    assert editor.get(f"{url}?from={bad}&to={first.pk}").status_code == 404


def test_reverting_restores_the_stretch_with_its_steps_and_keywords_in_order(
    editor, edited_stretch
):
    stretch, first, _ = edited_stretch
    response = editor.post(reverse("admin:stretches_stretch_revert", args=[stretch.pk, first.pk]))
    assert response.status_code == 302
    stretch.refresh_from_db()
    assert stretch.benefit == "Loosens the lower back."
    assert [step.text for step in stretch.steps.all()] == ["Lie on your back.", "Hug one knee."]
    assert [keyword.name for keyword in stretch.ordered_keywords()] == ["back pain", "tight hips"]


def test_a_revert_is_recorded_in_the_audit_trail_and_the_history(editor, edited_stretch):
    stretch, first, _ = edited_stretch
    editor.post(reverse("admin:stretches_stretch_revert", args=[stretch.pk, first.pk]))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CONTENT_REVERTED)
    assert entry.actor == "edith"
    assert f"#{stretch.pk}" in entry.detail and "Knee to chest" in entry.detail
    newest = stretch.__class__.objects.get(pk=stretch.pk)
    from reversion.models import Version

    assert Version.objects.get_for_object(newest).first().revision.user == editor.user


def test_reverting_needs_a_post(editor, edited_stretch):
    stretch, first, _ = edited_stretch
    url = reverse("admin:stretches_stretch_revert", args=[stretch.pk, first.pk])
    assert editor.get(url).status_code == 405
    stretch.refresh_from_db()
    assert stretch.benefit == "Releases the hips."


def test_the_stretch_page_shows_the_reverted_wording_at_once(client, edited_stretch):
    stretch, first, _ = edited_stretch
    before = visible_text(client.get(stretch.get_absolute_url()).content.decode())
    assert "Rock gently." in before
    revert(version=first, by=staff_in("Content editors", username="edith"))
    after = visible_text(client.get(stretch.get_absolute_url()).content.decode())
    assert "Rock gently." not in after
    assert "Hug one knee." in after


def test_reverting_a_guide_restores_its_sections_points_and_stretch_order():
    one, two = make_stretch(title="One"), make_stretch(title="Two")
    guide = make_guide(stretches=[one, two])
    tips = guide.sections.get(position=1)
    SectionPoint.objects.create(section=tips, position=1, lead_in="Go slowly:", text="No bouncing.")
    children = [
        *guide.sections.all(),
        *SectionPoint.objects.filter(section__guide=guide),
        *guide.guide_stretches.all(),
    ]
    first = saved_version(guide, save_children=children)

    tips.body = "Skip the warm-up."
    tips.save()
    tips.points.all().delete()
    guide.sections.create(position=3, heading="An extra section")
    GuideStretch.objects.filter(guide=guide).delete()
    GuideStretch.objects.create(guide=guide, stretch=two, position=1)
    GuideStretch.objects.create(guide=guide, stretch=one, position=2)

    revert(version=first, by=staff_in("Content editors", username="edith"))

    guide = Guide.objects.get(pk=guide.pk)
    assert [s.heading for s in guide.sections.all()] == ["Before you start", ""]
    assert guide.sections.get(position=1).body == "Warm up."
    assert [str(p) for p in SectionPoint.objects.filter(section__guide=guide)] == [
        "Go slowly: No bouncing."
    ]
    assert [p.stretch.title for p in guide.guide_stretches.all()] == ["One", "Two"]


def test_a_revert_keeps_the_review_record_and_marks_changed_wording_for_review(edited_stretch):
    from stretches.reviews import mark_reviewed
    from tests.content.helpers import clinical_reviewer

    stretch, first, _ = edited_stretch
    mark_reviewed(content=stretch, by=clinical_reviewer())
    revert(version=first, by=staff_in("Content editors", username="edith"))
    stretch.refresh_from_db()
    assert stretch.reviewed_by == "Amira Jones"
    assert stretch.awaiting_clinical_review


def test_a_version_using_a_deleted_keyword_is_refused_and_nothing_changes(editor, edited_stretch):
    stretch, first, _ = edited_stretch
    from stretches.models import Keyword

    Keyword.objects.get(name="back pain").delete()
    response = editor.post(
        reverse("admin:stretches_stretch_revert", args=[stretch.pk, first.pk]), follow=True
    )
    assert response.status_code == 200
    assert "This version cannot be restored" in response.content.decode()
    stretch.refresh_from_db()
    assert stretch.benefit == "Releases the hips."
    assert [step.text for step in stretch.steps.all()] == [
        "Lie on your back.",
        "Hug both knees.",
        "Rock gently.",
    ]
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CONTENT_REVERTED).exists()
