"""An edit saved as a draft leaves the live page alone; staff preview it at a
signed, expiring address the page cache never stores; publishing makes it
live, now or on schedule, once; scheduled unpublishing takes content down."""

import datetime

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from stretches import drafts
from stretches.models import Draft, Stretch
from tests.factories import make_stretch
from tests.page_text import visible_text
from tests.staff import staff_in
from tests.test_stretch_admin import stretch_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = staff_in("Content editors", username="edith")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def drafted(editor):
    """A live stretch with a draft that rewords its first step."""
    stretch = make_stretch(title="Cat-Cow", steps=["Kneel on all fours.", "Arch your back."])
    data = stretch_form(stretch, **{"steps-0-text": "Kneel on a mat.", "_save_draft": "1"})
    response = editor.post(reverse("admin:stretches_stretch_change", args=[stretch.pk]), data)
    assert response.status_code == 302
    return stretch, drafts.draft_of(stretch)


def page_of(client, stretch):
    return visible_text(client.get(stretch.get_absolute_url()).content.decode())


def test_saving_a_draft_leaves_the_live_page_as_it_was(client, drafted):
    stretch, draft = drafted
    assert draft is not None
    assert [step.text for step in stretch.steps.all()] == ["Kneel on all fours.", "Arch your back."]
    page = page_of(client, stretch)
    assert "Kneel on all fours." in page and "Kneel on a mat." not in page
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DRAFT_SAVED).exists()


def test_an_invalid_draft_shows_the_form_with_its_error_and_saves_nothing(editor):
    stretch = make_stretch()
    data = stretch_form(stretch, hold_min_seconds=30, hold_max_seconds=10, _save_draft="1")
    response = editor.post(reverse("admin:stretches_stretch_change", args=[stretch.pk]), data)
    assert response.status_code == 200
    assert "The upper number must not be below the lower one." in response.content.decode()
    assert not Draft.objects.exists()


def test_the_preview_shows_the_draft_in_the_site_design_and_is_never_cached(client, drafted):
    stretch, draft = drafted
    page_of(client, stretch)  # the live page, now in the page cache
    response = client.get(drafts.preview_address(draft))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "noindex" in response["X-Robots-Tag"]
    preview = visible_text(response.content.decode())
    assert "Kneel on a mat." in preview and "Kneel on all fours." not in preview
    # Neither the live page nor the database took on the draft.
    assert "Kneel on all fours." in page_of(client, stretch)
    assert stretch.steps.first().text == "Kneel on all fours."


def test_a_forged_or_expired_preview_address_is_not_found(client, drafted, settings):
    _, draft = drafted
    forged = signing.dumps(draft.pk, salt="another-salt")
    assert client.get(reverse("stretches:preview", args=[forged])).status_code == 404
    assert client.get(reverse("stretches:preview", args=["nonsense"])).status_code == 404
    settings.CONTENT_PREVIEW_MINUTES = -1
    assert client.get(drafts.preview_address(draft)).status_code == 404


def test_publishing_the_draft_makes_it_live_once(editor, client, drafted):
    stretch, _ = drafted
    url = reverse("admin:stretches_stretch_publish_draft", args=[stretch.pk])
    assert editor.post(url).status_code == 302
    assert "Kneel on a mat." in page_of(client, stretch)
    assert not Draft.objects.exists()
    assert AuditEntry.objects.get(action=AuditEntry.Action.CONTENT_PUBLISHED).actor == "edith"
    # Published clinical wording awaits review like any edit.
    assert Stretch.objects.get(pk=stretch.pk).awaiting_clinical_review
    assert editor.post(url).status_code == 404


def test_the_worker_publishes_a_scheduled_draft_on_time_and_once(editor, client, drafted):
    stretch, _ = drafted
    at = timezone.now() + datetime.timedelta(hours=1)
    response = editor.post(
        reverse("admin:stretches_stretch_schedule_draft", args=[stretch.pk]),
        {"publish_at": timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    assert Draft.objects.get().publish_at is not None
    assert drafts.carry_out_schedules(now=at - datetime.timedelta(minutes=2)) == []
    assert "Kneel on all fours." in page_of(client, stretch)
    done = drafts.carry_out_schedules(now=at + datetime.timedelta(minutes=1))
    assert [what for what, _ in done] == ["published"]
    assert "Kneel on a mat." in page_of(client, stretch)
    assert drafts.carry_out_schedules(now=at + datetime.timedelta(minutes=2)) == []
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CONTENT_PUBLISHED).count() == 1


@pytest.mark.parametrize("value", ["", "tomorrow", "2020-01-01T09:00", "9999-99-99T99:99"])
def test_a_bad_or_past_publishing_time_is_refused_clearly(editor, drafted, value):
    stretch, _ = drafted
    response = editor.post(
        reverse("admin:stretches_stretch_schedule_draft", args=[stretch.pk]),
        {"publish_at": value},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Choose a time in the future." in page
        or "Give a date and time" in page
        or ("This field is required." in page)
    )
    assert Draft.objects.get().publish_at is None


def test_the_worker_unpublishes_content_at_its_time_once(client):
    stretch = make_stretch(title="Seasonal stretch")
    at = timezone.now() + datetime.timedelta(days=1)
    Stretch.objects.filter(pk=stretch.pk).update(unpublish_at=at)
    assert drafts.carry_out_schedules(now=at - datetime.timedelta(minutes=1)) == []
    assert client.get(stretch.get_absolute_url()).status_code == 200
    done = drafts.carry_out_schedules(now=at)
    assert [what for what, _ in done] == ["unpublished"]
    assert client.get(stretch.get_absolute_url()).status_code == 404
    assert drafts.carry_out_schedules(now=at + datetime.timedelta(minutes=1)) == []
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CONTENT_UNPUBLISHED)
    assert entry.actor == "(system)"


def test_the_schedule_runs_every_minute():
    from stretches.tasks import publish_and_unpublish_on_schedule

    task = publish_and_unpublish_on_schedule.task_class()
    start = datetime.datetime(2026, 11, 30, 9, 0)
    assert all(task.validate_datetime(start + datetime.timedelta(minutes=n)) for n in range(60))


def test_discarding_a_draft_leaves_the_live_page(editor, client, drafted):
    stretch, _ = drafted
    editor.post(reverse("admin:stretches_stretch_discard_draft", args=[stretch.pk]))
    assert not Draft.objects.exists()
    assert "Kneel on all fours." in page_of(client, stretch)


def test_the_change_form_offers_the_draft_preview_and_publishing(editor, drafted):
    stretch, draft = drafted
    page = editor.get(reverse("admin:stretches_stretch_change", args=[stretch.pk]))
    text = page.content.decode()
    assert draft.saved_by.username == "edith"
    assert 'href="/preview/' in text
    assert "Publish the draft now" in text and 'name="_save_draft"' in text


def test_a_draft_awaiting_review_can_be_previewed_where_the_clinic_requires_review(
    client, drafted, settings
):
    settings.CONTENT_REQUIRE_CLINICAL_REVIEW = True
    stretch, draft = drafted
    response = client.get(drafts.preview_address(draft))
    assert response.status_code == 200
    assert "Kneel on a mat." in visible_text(response.content.decode())
    assert Stretch.objects.get(pk=stretch.pk).published


def test_a_guide_draft_is_previewed_and_published_with_its_sections(client):
    from django.db import transaction

    from tests.factories import make_guide

    editor = staff_in("Content editors", username="edith")
    guide = make_guide(stretches=[make_stretch(title="Bridge")])
    with transaction.atomic():
        section = guide.sections.get(position=1)
        section.body = "Walk for five minutes first."
        section.save()
        snapshot = drafts.snapshot(guide)
        transaction.set_rollback(True)
    draft = drafts.save_draft(obj=guide, snapshot_json=snapshot, by=editor)

    preview = visible_text(client.get(drafts.preview_address(draft)).content.decode())
    assert "Walk for five minutes first." in preview and "Bridge" in preview
    live = visible_text(client.get(guide.get_absolute_url()).content.decode())
    assert "Walk for five minutes first." not in live and "Warm up." in live

    drafts.publish_draft(draft=draft, by=editor)
    live = visible_text(client.get(guide.get_absolute_url()).content.decode())
    assert "Walk for five minutes first." in live and "Bridge" in live
