"""A published change to clinical wording awaits a clinical reviewer; only
clinical reviewers mark a review done; the clinic may refuse to publish
unreviewed wording; the public pages claim a review only when it is true."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from audit.models import AuditEntry
from stretches.models import Guide, SectionPoint, Step, Stretch
from stretches.reviews import mark_reviewed
from tests.content.helpers import clinical_reviewer
from tests.factories import make_guide, make_stretch
from tests.page_text import visible_text
from tests.staff import staff_in
from tests.test_stretch_admin import stretch_form

pytestmark = pytest.mark.django_db

STRETCHES = reverse("admin:stretches_stretch_changelist")


@pytest.fixture
def reviewer():
    return clinical_reviewer()


@pytest.fixture
def reviewed_stretch(reviewer):
    stretch = make_stretch(title="Child's pose", steps=["Kneel.", "Sit back on your heels."])
    return mark_reviewed(content=stretch, by=reviewer)


@pytest.fixture
def editor(client):
    client.force_login(staff_in("Content editors", username="edith"))
    return client


def test_a_reviewed_stretch_is_not_awaiting_review(reviewed_stretch):
    assert reviewed_stretch.review_is_current
    assert not Stretch.objects.get(pk=reviewed_stretch.pk).awaiting_clinical_review


@pytest.mark.parametrize(
    "change",
    [
        {"benefit": "Stretches the spine."},
        {"hold_min_seconds": 40},
        {"repeat_min": 3},
        {"each_side": True},
    ],
)
def test_changing_how_it_helps_or_the_dose_awaits_review(reviewed_stretch, change):
    for name, value in change.items():
        setattr(reviewed_stretch, name, value)
    reviewed_stretch.save()
    assert Stretch.objects.get(pk=reviewed_stretch.pk).awaiting_clinical_review


def test_changing_a_step_awaits_review(reviewed_stretch):
    step = reviewed_stretch.steps.first()
    step.text = "Kneel on a soft mat."
    step.save()
    assert Stretch.objects.get(pk=reviewed_stretch.pk).awaiting_clinical_review


def test_removing_a_step_awaits_review(reviewed_stretch):
    reviewed_stretch.steps.last().delete()
    assert Stretch.objects.get(pk=reviewed_stretch.pk).awaiting_clinical_review


def test_changing_the_title_needs_no_clinical_review(reviewed_stretch):
    reviewed_stretch.title = "Child’s Pose"
    reviewed_stretch.save()
    assert not Stretch.objects.get(pk=reviewed_stretch.pk).awaiting_clinical_review


def test_changes_to_an_unpublished_stretch_do_not_await_review(reviewer):
    draft = make_stretch(published=False)
    draft.benefit = "Something new."
    draft.save()
    Step.objects.create(stretch=draft, position=9, text="New step.")
    assert not Stretch.objects.get(pk=draft.pk).awaiting_clinical_review


def test_changing_a_guides_text_or_points_awaits_review(reviewer):
    guide = mark_reviewed(content=make_guide(), by=reviewer)
    SectionPoint.objects.create(section=guide.sections.first(), text="Stop if it hurts.")
    assert Guide.objects.get(pk=guide.pk).awaiting_clinical_review


def test_an_editors_step_change_in_the_admin_awaits_review_and_says_so(editor, reviewed_stretch):
    data = stretch_form(reviewed_stretch, **{"steps-0-text": "Kneel on the floor."})
    response = editor.post(
        reverse("admin:stretches_stretch_change", args=[reviewed_stretch.pk]), data, follow=True
    )
    assert "awaits review by a clinical reviewer" in response.content.decode()
    reviewed_stretch.refresh_from_db()
    assert reviewed_stretch.awaiting_clinical_review
    assert reviewed_stretch.published


def test_when_the_clinic_requires_review_an_unreviewed_change_is_not_published(
    settings, editor, reviewed_stretch
):
    settings.CONTENT_REQUIRE_CLINICAL_REVIEW = True
    data = stretch_form(reviewed_stretch, **{"steps-0-text": "Kneel on the floor."})
    response = editor.post(
        reverse("admin:stretches_stretch_change", args=[reviewed_stretch.pk]), data, follow=True
    )
    assert "publishes only reviewed wording" in response.content.decode()
    reviewed_stretch.refresh_from_db()
    assert not reviewed_stretch.published
    assert reviewed_stretch.steps.first().text == "Kneel on the floor."


def test_when_the_clinic_requires_review_an_editor_cannot_publish_unreviewed_wording(
    settings, editor
):
    settings.CONTENT_REQUIRE_CLINICAL_REVIEW = True
    stretch = make_stretch(title="Awaiting")
    Stretch.objects.filter(pk=stretch.pk).update(published=False, awaiting_clinical_review=True)
    stretch.refresh_from_db()
    data = stretch_form(stretch, title="Awaiting, renamed")
    response = editor.post(reverse("admin:stretches_stretch_change", args=[stretch.pk]), data)
    assert response.status_code == 200
    assert "a clinical reviewer must review it before it can be published" in (
        response.content.decode()
    )
    stretch.refresh_from_db()
    assert not stretch.published
    assert stretch.title == "Awaiting"


def test_when_the_clinic_does_not_require_review_unreviewed_wording_stays_published(
    editor,
):
    stretch = make_stretch(title="Awaiting")
    assert Stretch.objects.get(pk=stretch.pk).awaiting_clinical_review
    assert Stretch.objects.get(pk=stretch.pk).published


def test_the_clinical_reviewers_group_holds_the_review_permission(reviewer):
    group = Group.objects.get(name="Clinical reviewers")
    assert group.permissions.filter(codename="review_clinical_content").exists()
    assert reviewer.has_perm("stretches.review_clinical_content")
    editor = staff_in("Content editors", username="edith")
    assert not editor.has_perm("stretches.review_clinical_content")


def test_a_clinical_reviewer_marks_a_review_done_from_the_list(client, reviewer):
    stretch = make_stretch(title="Cobra")
    client.force_login(reviewer)
    response = client.post(
        STRETCHES, {"action": "mark_clinically_reviewed", "_selected_action": [stretch.pk]}
    )
    assert response.status_code == 302
    stretch.refresh_from_db()
    assert stretch.reviewed_by == "Amira Jones"
    assert stretch.last_reviewed_on == datetime.date.today()
    assert not stretch.awaiting_clinical_review
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CONTENT_REVIEWED)
    assert entry.actor == "reviewer" and "Cobra" in entry.detail


def test_a_content_editor_cannot_mark_a_review_done(editor):
    stretch = make_stretch(title="Cobra")
    page = editor.get(STRETCHES).content.decode()
    assert "mark_clinically_reviewed" not in page
    editor.post(STRETCHES, {"action": "mark_clinically_reviewed", "_selected_action": [stretch.pk]})
    stretch.refresh_from_db()
    assert stretch.last_reviewed_on is None
    assert stretch.awaiting_clinical_review
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CONTENT_REVIEWED).exists()


def test_the_review_service_refuses_anyone_without_the_permission():
    with pytest.raises(PermissionError):
        mark_reviewed(content=make_stretch(), by=staff_in("Content editors", username="edith"))


def test_an_editor_cannot_write_a_reviewer_into_the_form(editor, reviewed_stretch):
    data = stretch_form(reviewed_stretch, reviewed_by="Dr Fake", last_reviewed_on="2030-01-01")
    editor.post(reverse("admin:stretches_stretch_change", args=[reviewed_stretch.pk]), data)
    reviewed_stretch.refresh_from_db()
    assert reviewed_stretch.reviewed_by == "Amira Jones"
    assert reviewed_stretch.last_reviewed_on == datetime.date.today()


def test_the_stretch_page_names_the_reviewer_while_the_wording_is_the_reviewed_one(
    client, reviewed_stretch
):
    today = datetime.date.today()
    page = visible_text(client.get(reviewed_stretch.get_absolute_url()).content.decode())
    assert f"Reviewed by Amira Jones on {today:%-d %B %Y}." in page

    step = reviewed_stretch.steps.first()
    step.text = "Kneel on a soft mat."
    step.save()
    page = visible_text(client.get(reviewed_stretch.get_absolute_url()).content.decode())
    assert "Reviewed by" not in page
    assert f"Last updated on {today:%-d %B %Y}." in page


def test_the_guide_page_says_last_updated_once_its_wording_changed_after_review(client, reviewer):
    guide = mark_reviewed(content=Guide.objects.homepage(), by=reviewer)
    assert "Reviewed by Amira Jones on" in visible_text(client.get("/").content.decode())
    section = guide.sections.first()
    section.body += "\n\nA new paragraph."
    section.save()
    page = visible_text(client.get("/").content.decode())
    assert "Reviewed by" not in page
    assert "Last updated on" in page
