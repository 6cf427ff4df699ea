from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.messages.storage.base import BaseStorage
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version

from clinic.images import CheckedImageFormField

from . import drafts, history
from .models import (
    Guide,
    GuideSection,
    GuideStretch,
    Keyword,
    SectionPoint,
    Step,
    Stretch,
    StretchKeyword,
)
from .reviews import REVIEW_PERMISSION, mark_reviewed
from .services import refresh_image_renditions


class StepInline(admin.TabularInline):
    model = Step
    extra = 1
    fields = ["position", "text"]


class StretchKeywordInline(admin.TabularInline):
    """Keywords in the order they are shown. A searchable picker rather than
    a plain many-to-many widget, which could not keep that order."""

    model = StretchKeyword
    extra = 1
    fields = ["position", "keyword"]
    autocomplete_fields = ["keyword"]
    verbose_name = "keyword"
    verbose_name_plural = "keywords (shown in this order)"


class ContentAdmin(VersionAdmin):
    """The admin of health content, which content editors use: it lets no
    address reach through to patients' consultation requests.

    Every save keeps a version (django-reversion); the history page lists
    them with who saved each and when, compares any two, and reverts."""

    object_history_template = "admin/stretches/object_history.html"
    # Django's list, without reversion's "Recover deleted" (switched off below).
    change_list_template = None

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            path(
                "<path:object_id>/history/<int:version_id>/revert/",
                self.admin_site.admin_view(require_POST(self.revert_view)),
                name="{}_{}_revert".format(*info),
            ),
            *super().get_urls(),
        ]

    def _version_of(self, object_id, version_id):
        try:
            version_id = int(version_id)
        except (TypeError, ValueError):
            raise Http404("Choose two versions to compare.") from None
        return get_object_or_404(
            Version.objects.get_for_object_reference(self.model, unquote(object_id)).select_related(
                "revision", "revision__user"
            ),
            pk=version_id,
        )

    def compare_view(self, request, object_id):
        """Two versions side by side, as the parts that differ, line by line."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = Version.objects.get_for_object(obj)
        newest = versions.first()
        if newest is None:
            raise Http404("This has no saved versions yet.")
        older = self._version_of(object_id, request.GET.get("from", newest.pk))
        newer = self._version_of(object_id, request.GET.get("to", newest.pk))
        if older.revision.date_created > newer.revision.date_created:
            older, newer = newer, older
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "title": f"Compare versions of “{obj}”",
            "older": older,
            "newer": newer,
            "changes": history.diff(older, newer),
            "can_revert": self.has_change_permission(request, obj),
        }
        return TemplateResponse(request, "admin/stretches/compare_versions.html", context)

    def revert_view(self, request, object_id, version_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_change_permission(request, obj):
            raise PermissionDenied
        version = self._version_of(object_id, version_id)
        try:
            reverted = history.revert(version=version, by=request.user)
        except RevertError:
            self.message_user(
                request,
                "This version cannot be restored: something it refers to (a keyword or a "
                "stretch) has been deleted since. Nothing was changed.",
                messages.ERROR,
            )
            return redirect(
                reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[obj.pk]
                )
            )
        self.message_user(
            request,
            f"“{reverted}” is as it was on {version.revision.date_created:%-d %B %Y %H:%M}.",
            messages.SUCCESS,
        )
        if getattr(reverted, "awaiting_clinical_review", False):
            self.message_user(request, "Its clinical wording now awaits review.", messages.WARNING)
        return redirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[obj.pk])
        )

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # A version opens as its differences from the current one, where it
        # can be reverted with its audit entry (not reversion's bare form).
        compare = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_compare", args=[object_id]
        )
        newest = Version.objects.get_for_object_reference(self.model, unquote(object_id)).first()
        to = newest.pk if newest else version_id
        return redirect(f"{compare}?from={int(version_id)}&to={to}")

    def history_view(self, request, object_id, extra_context=None):
        versions = Version.objects.get_for_object_reference(
            self.model, unquote(object_id)
        ).select_related("revision", "revision__user")
        return super().history_view(
            request, object_id, {"versions": versions, **(extra_context or {})}
        )

    def recoverlist_view(self, request, extra_context=None):
        # Recovering deleted content is left to a developer: it would bring
        # back rows without the revert's checks and audit entry.
        raise PermissionDenied

    def lookup_allowed(self, lookup, value, request):
        # `?consultation_requests=17` or `…__isnull=False` on the stretch list
        # would tell a content editor which requests exist and where the
        # patient came from.
        if "consultation_requests" in lookup.split(LOOKUP_SEP):
            return False
        return super().lookup_allowed(lookup, value, request)


class _DiscardedMessages(BaseStorage):
    """Messages of a save that is rolled back into a draft: none are true."""

    def _get(self, *args, **kwargs):
        return [], True

    def _store(self, messages, response, *args, **kwargs):
        return []


class _RollBack(Exception):
    pass


class DraftScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": "Give a date and time, such as 2026-12-01 09:00."},
    )

    def clean_publish_at(self):
        at = self.cleaned_data["publish_at"]
        if at <= timezone.now():
            raise forms.ValidationError("Choose a time in the future.")
        return at


class DraftAdmin(ContentAdmin):
    """ "Save as draft" on the change form keeps the edit aside, without
    touching the live page; the draft is then previewed, published now,
    scheduled, or discarded (stretches/drafts.py)."""

    change_form_template = "admin/stretches/change_form_with_draft.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        draft_views = [
            path(
                f"<path:object_id>/draft/{name}/",
                self.admin_site.admin_view(require_POST(getattr(self, f"{name}_draft_view"))),
                name=f"{info[0]}_{info[1]}_{name}_draft",
            )
            for name in ("publish", "schedule", "discard")
        ]
        return [*draft_views, *super().get_urls()]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if request.method == "POST" and "_save_draft" in request.POST and obj is not None:
            return self._save_draft(request, obj, form_url, extra_context)
        draft = obj and drafts.draft_of(obj)
        context = {
            "draft": draft,
            "draft_preview": draft and drafts.preview_address(draft),
            "schedule_form": DraftScheduleForm(),
            **(extra_context or {}),
        }
        return super().changeform_view(request, object_id, form_url, context)

    def _save_draft(self, request, obj, form_url, extra_context):
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        real_messages = request._messages
        request._messages = _DiscardedMessages(request)
        try:
            with transaction.atomic():
                response = super().changeform_view(request, str(obj.pk), form_url, extra_context)
                if response.status_code != 302:
                    return response  # the form with its errors; nothing was saved
                snapshot = drafts.snapshot(self.model.objects.get(pk=obj.pk))
                raise _RollBack
        except _RollBack:
            pass
        finally:
            request._messages = real_messages
        drafts.save_draft(obj=obj, snapshot_json=snapshot, by=request.user)
        self.message_user(
            request, "Saved as a draft. The live page is unchanged.", messages.SUCCESS
        )
        return redirect(self._change_url(obj))

    def _change_url(self, obj):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])

    def _draft_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_change_permission(request, obj):
            raise PermissionDenied
        draft = drafts.draft_of(obj)
        if draft is None:
            raise Http404("There is no draft.")
        return obj, draft

    def publish_draft_view(self, request, object_id):
        obj, draft = self._draft_or_404(request, object_id)
        try:
            drafts.publish_draft(draft=draft, by=request.user)
        except drafts.DraftError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, "The draft is now the live page.", messages.SUCCESS)
        return redirect(self._change_url(obj))

    def schedule_draft_view(self, request, object_id):
        obj, draft = self._draft_or_404(request, object_id)
        form = DraftScheduleForm(request.POST)
        if form.is_valid():
            at = form.cleaned_data["publish_at"]
            drafts.schedule_publishing(draft=draft, at=at, by=request.user)
            self.message_user(
                request,
                f"The draft will be published on {timezone.localtime(at):%-d %B %Y at %H:%M}.",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, " ".join(form.errors["publish_at"]), messages.ERROR)
        return redirect(self._change_url(obj))

    def discard_draft_view(self, request, object_id):
        obj, draft = self._draft_or_404(request, object_id)
        drafts.discard_draft(draft=draft, by=request.user)
        self.message_user(request, "The draft was discarded.", messages.SUCCESS)
        return redirect(self._change_url(obj))


class ClinicalReviewAdmin(DraftAdmin):
    """Editors see the review state; only clinical reviewers mark a review
    done, through the action (which records who, when, and the audit entry)."""

    actions = ["mark_clinically_reviewed"]
    review_fields = [
        "awaiting_clinical_review",
        "last_reviewed_on",
        "reviewed_by",
        "review_every_months",
        "next_review_on",
    ]

    def get_readonly_fields(self, request, obj=None):
        return [
            *super().get_readonly_fields(request, obj),
            "awaiting_clinical_review",
            "last_reviewed_on",
            "reviewed_by",
            "next_review_on",
        ]

    def has_review_clinical_permission(self, request):
        return request.user.has_perm(REVIEW_PERMISSION)

    @admin.action(
        description="Mark the clinical wording reviewed (by me, today)",
        permissions=["review_clinical"],
    )
    def mark_clinically_reviewed(self, request, queryset):
        for content in queryset:
            mark_reviewed(content=content, by=request.user)
        self.message_user(
            request, f"Marked {queryset.count()} reviewed by you today.", messages.SUCCESS
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        obj.refresh_from_db(fields=["published", "awaiting_clinical_review"])
        if obj.awaiting_clinical_review:
            note = "Its clinical wording awaits review by a clinical reviewer."
            if form.cleaned_data.get("published") and not obj.published:
                note += " The clinic publishes only reviewed wording, so it is not published."
            self.message_user(request, note, messages.WARNING)

    @admin.display(boolean=True, description="Review due")
    def review_due(self, content):
        return content.review_is_due() or content.awaiting_clinical_review


@admin.register(Stretch)
class StretchAdmin(ClinicalReviewAdmin):
    formfield_overrides = {models.ImageField: {"form_class": CheckedImageFormField}}
    list_display = [
        "title",
        "thumbnail",
        "position",
        "guidance",
        "published",
        "awaiting_clinical_review",
        "next_review_on",
        "updated_at",
    ]
    list_display_links = ["title"]
    list_editable = ["position", "published"]
    list_filter = ["published", "awaiting_clinical_review", "each_side", "keywords"]
    search_fields = ["title", "slug", "benefit", "steps__text", "keywords__name"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["image_preview", "created_at", "updated_at"]
    inlines = [StepInline, StretchKeywordInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "position", "published", "unpublish_at", "benefit"]}),
        (
            "Hold or repeat guidance",
            {
                "description": (
                    "Leave the upper number empty for an exact figure. The daily routine's "
                    "timer follows these numbers."
                ),
                "fields": [
                    ("hold_min_seconds", "hold_max_seconds"),
                    "default_hold_seconds",
                    ("repeat_min", "repeat_max"),
                    "each_side",
                ],
            },
        ),
        ("Image", {"fields": ["image", "image_alt", "image_preview"]}),
        ("Clinical review", {"fields": ClinicalReviewAdmin.review_fields}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    class Media:
        css = {"all": ["css/admin-stretches.css"]}

    def save_model(self, request, obj, form, change):
        image_changed = "image" in form.changed_data
        previous_image = (
            Stretch.objects.filter(pk=obj.pk).values_list("image", flat=True).first()
            if change and image_changed
            else ""
        )
        super().save_model(request, obj, form, change)
        if image_changed or (obj.image and not obj.image_renditions):
            refresh_image_renditions(stretch=obj, previous_image=previous_image or "")

    @admin.display(description="Image")
    def thumbnail(self, stretch):
        return self._image_tag(stretch, size="small")

    @admin.display(description="Current image")
    def image_preview(self, stretch):
        return self._image_tag(stretch, size="large") or "No image"

    @staticmethod
    def _image_tag(stretch, size):
        # Sized by a stylesheet: the content security policy forbids inline styles.
        if not stretch.image:
            return ""
        return format_html(
            '<img src="{}" alt="{}" class="stretch-image-{}">',
            stretch.image.url,
            stretch.image_alt,
            size,
        )


@admin.register(Keyword)
class KeywordAdmin(ContentAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class GuideSectionInline(admin.StackedInline):
    model = GuideSection
    extra = 0
    fields = ["position", "kind", "heading", "body", "closing"]
    show_change_link = True


class GuideStretchInline(admin.TabularInline):
    """The guide's stretches, in the order the guide and its daily routine
    show them."""

    model = GuideStretch
    extra = 1
    fields = ["position", "stretch"]
    autocomplete_fields = ["stretch"]
    verbose_name_plural = "stretches in guide (in this order in the guide and its daily routine)"


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", "Review due"), ("current", "Reviewed and current")]

    def queryset(self, request, queryset):
        if self.value() not in {"due", "current"}:
            return queryset
        due_ids = [guide.pk for guide in queryset if guide.review_is_due()]
        if self.value() == "due":
            return queryset.filter(pk__in=due_ids)
        return queryset.exclude(pk__in=due_ids)


@admin.register(Guide)
class GuideAdmin(ClinicalReviewAdmin):
    list_display = [
        "title",
        "published",
        "is_homepage",
        "awaiting_clinical_review",
        "last_reviewed_on",
        "reviewed_by",
        "next_review_on",
        "review_due",
    ]
    list_filter = ["published", "awaiting_clinical_review", ReviewDueFilter]
    search_fields = ["title", "summary", "sections__heading", "sections__body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [GuideSectionInline, GuideStretchInline]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "summary", "published", "unpublish_at", "is_homepage"]},
        ),
        ("Clinical review", {"fields": ClinicalReviewAdmin.review_fields}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]


class SectionPointInline(admin.TabularInline):
    model = SectionPoint
    extra = 1
    fields = ["position", "lead_in", "text"]


@admin.register(GuideSection)
class GuideSectionAdmin(ContentAdmin):
    """Sections are edited within their guide; this page adds their points
    (such as the tips with their bold lead-ins)."""

    list_display = ["__str__", "guide", "position", "kind"]
    list_filter = ["guide", "kind"]
    search_fields = ["heading", "body", "closing", "points__text"]
    inlines = [SectionPointInline]
