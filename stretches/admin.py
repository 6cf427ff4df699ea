from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.html import format_html

from clinic.images import CheckedImageFormField

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


class ContentAdmin(admin.ModelAdmin):
    """The admin of health content, which content editors use: it lets no
    address reach through to patients' consultation requests."""

    def lookup_allowed(self, lookup, value, request):
        # `?consultation_requests=17` or `…__isnull=False` on the stretch list
        # would tell a content editor which requests exist and where the
        # patient came from.
        if "consultation_requests" in lookup.split(LOOKUP_SEP):
            return False
        return super().lookup_allowed(lookup, value, request)

    def to_field_allowed(self, request, to_field):
        # Django fails (500) on `?_to_field=` naming a reverse relation.
        try:
            field = self.opts.get_field(to_field)
        except FieldDoesNotExist:
            return False
        return field.concrete and super().to_field_allowed(request, to_field)


@admin.register(Stretch)
class StretchAdmin(ContentAdmin):
    formfield_overrides = {models.ImageField: {"form_class": CheckedImageFormField}}
    list_display = ["title", "thumbnail", "position", "guidance", "published", "updated_at"]
    list_display_links = ["title"]
    list_editable = ["position", "published"]
    list_filter = ["published", "each_side", "keywords"]
    search_fields = ["title", "slug", "benefit", "steps__text", "keywords__name"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["image_preview", "created_at", "updated_at"]
    inlines = [StepInline, StretchKeywordInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "position", "published", "benefit"]}),
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
class GuideAdmin(ContentAdmin):
    list_display = [
        "title",
        "published",
        "is_homepage",
        "last_reviewed_on",
        "reviewed_by",
        "next_review_on",
        "review_due",
    ]
    list_filter = ["published", ReviewDueFilter]
    search_fields = ["title", "summary", "sections__heading", "sections__body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["next_review_on", "created_at", "updated_at"]
    inlines = [GuideSectionInline, GuideStretchInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "published", "is_homepage"]}),
        (
            "Clinical review",
            {
                "fields": [
                    "last_reviewed_on",
                    "reviewed_by",
                    "review_every_months",
                    "next_review_on",
                ]
            },
        ),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(boolean=True, description="Review due")
    def review_due(self, guide):
        return guide.review_is_due()


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
