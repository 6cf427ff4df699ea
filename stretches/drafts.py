"""Drafts of guides and stretches: saved without touching the live page,
previewed at a signed, expiring address, published now or by the worker at
a set time; and scheduled unpublishing."""

import itertools

import reversion
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers, signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import record

from .history import parts, replace_whole
from .models import Draft, Guide, GuideStretch, Keyword, Stretch, StretchKeyword

PREVIEW_SALT = "stretches.draft-preview"


class DraftError(Exception):
    """The draft cannot be published; the message says why."""


def snapshot(obj):
    """`obj` and its children as serialized rows."""
    rows = itertools.chain([obj], *parts(obj))
    return serializers.serialize("json", rows)


def _label(obj):
    return f"{obj._meta.verbose_name} #{obj.pk} “{obj}”"[:200]


def save_draft(*, obj, snapshot_json, by):
    draft, _ = Draft.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        defaults={"snapshot": snapshot_json, "saved_by": by},
    )
    record(action=AuditEntry.Action.DRAFT_SAVED, by=by, request_numbers=[], detail=_label(obj))
    return draft


def draft_of(obj):
    return Draft.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).first()


def preview_address(draft):
    token = signing.dumps(draft.pk, salt=PREVIEW_SALT, compress=True)
    return reverse("stretches:preview", kwargs={"token": token})


def draft_for_preview(token):
    """The draft a preview token names, or None if the token is forged,
    expired (CONTENT_PREVIEW_MINUTES) or its draft is gone."""
    try:
        pk = signing.loads(token, salt=PREVIEW_SALT, max_age=settings.CONTENT_PREVIEW_MINUTES * 60)
    except signing.BadSignature:
        return None
    return Draft.objects.filter(pk=pk).first() if isinstance(pk, int) else None


def _rows(draft):
    return list(serializers.deserialize("json", draft.snapshot))


def _check_references(rows):
    for model, field, target in (
        (StretchKeyword, "keyword_id", Keyword),
        (GuideStretch, "stretch_id", Stretch),
    ):
        wanted = {getattr(row.object, field) for row in rows if isinstance(row.object, model)}
        if wanted - set(target.objects.filter(pk__in=wanted).values_list("pk", flat=True)):
            raise DraftError(
                f"A {target._meta.verbose_name} this draft uses was deleted since; "
                "edit the live version instead."
            )


def _apply(draft, *, published=None):
    rows = _rows(draft)
    _check_references(rows)

    def restore():
        for row in rows:
            if (
                published is not None
                and row.object.pk == draft.object_id
                and isinstance(row.object, (Guide, Stretch))
            ):
                row.object.published = published
            row.save()

    return replace_whole(draft.content, restore)


def render_preview(request, draft, view):
    """The page `view` renders with the draft in place of the live content,
    rendered inside a transaction that is then rolled back."""
    with transaction.atomic():
        obj = _apply(draft)
        # Shown as if published, even where unreviewed wording may not be.
        type(obj).objects.filter(pk=obj.pk).update(published=True)
        response = view(request, slug=obj.slug)
        if hasattr(response, "render"):
            response.render()
        transaction.set_rollback(True)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def publish_draft(*, draft, by):
    """Make the draft the live content (a new version in the history), once:
    the draft is gone after. `by` is None when the worker publishes it."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update().filter(pk=draft.pk).first()
        if draft is None:
            return None
        with reversion.create_revision():
            obj = _apply(draft)
            if by is not None:
                reversion.set_user(by)
            reversion.set_comment("Published a draft.")
        draft.delete()
        record(
            action=AuditEntry.Action.CONTENT_PUBLISHED,
            by=by,
            request_numbers=[],
            detail=_label(obj),
        )
    return obj


def schedule_publishing(*, draft, at, by):
    draft.publish_at = at
    draft.save(update_fields=["publish_at", "updated_at"])
    when = f"{timezone.localtime(at):%Y-%m-%d %H:%M}" if at else "no time"
    record(
        action=AuditEntry.Action.PUBLISH_SCHEDULED,
        by=by,
        request_numbers=[],
        detail=f"{_label(draft.content)} at {when}"[:200],
    )


def discard_draft(*, draft, by):
    label = _label(draft.content)
    draft.delete()
    record(action=AuditEntry.Action.DRAFT_DISCARDED, by=by, request_numbers=[], detail=label)


def carry_out_schedules(now=None):
    """Publish the drafts and unpublish the content whose time has come.
    Each happens once: a published draft is deleted, and the unpublishing
    time cleared, in the same transaction."""
    now = now or timezone.now()
    done = []
    for draft in Draft.objects.filter(publish_at__lte=now).order_by("publish_at"):
        try:
            obj = publish_draft(draft=draft, by=None)
        except DraftError:
            continue
        if obj is not None:
            done.append(("published", obj))
    for model in (Guide, Stretch):
        for pk in model.objects.filter(unpublish_at__lte=now).values_list("pk", flat=True):
            with transaction.atomic():
                obj = model.objects.select_for_update().filter(pk=pk, unpublish_at__lte=now).first()
                if obj is None:
                    continue
                obj.published = False
                obj.unpublish_at = None
                obj.save()
                record(
                    action=AuditEntry.Action.CONTENT_UNPUBLISHED,
                    by=None,
                    request_numbers=[],
                    detail=_label(obj),
                )
            done.append(("unpublished", obj))
    return done
