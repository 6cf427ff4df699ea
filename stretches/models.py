import datetime

import reversion
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.utils.functional import cached_property
from django.utils.text import Truncator

from clinic.images import picture, validate_image
from clinic.models import TimeStampedModel
from clinic.page_urls import page_url


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class ClinicallyReviewed(models.Model):
    """Health content a clinician must review: who did, when, how often it is
    due again, and whether its clinical wording changed since.

    `awaiting_clinical_review` is set when published clinical wording changes
    (see `clinical_wording()`), in the save path of the model and of its
    children, and cleared only by `stretches.reviews.mark_reviewed()`."""

    last_reviewed_on = models.DateField(null=True, blank=True)
    reviewed_by = models.CharField(
        max_length=200, blank=True, help_text="Name and role, e.g. “Dr A. Jones, pain physician”."
    )
    review_every_months = models.PositiveSmallIntegerField(default=12)
    awaiting_clinical_review = models.BooleanField(
        default=False,
        help_text="Its clinical wording changed since the last clinical review.",
    )
    unpublish_at = models.DateTimeField(
        "unpublish at",
        null=True,
        blank=True,
        help_text="The worker takes it off the site at this date and time.",
    )
    drafts = GenericRelation("stretches.Draft")

    # Fields a clinician vouches for, besides children's text.
    CLINICAL_FIELDS = ()
    REVIEW_FIELDS = (
        "last_reviewed_on",
        "reviewed_by",
        "review_every_months",
        "awaiting_clinical_review",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and self.published and self._clinical_fields_changed():
            self.awaiting_clinical_review = True
        if not self.may_be_published():
            self.published = False
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "awaiting_clinical_review",
                "published",
            }
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.published and not self.may_be_published():
            raise ValidationError(
                {
                    "published": "Its clinical wording is awaiting review: "
                    "a clinical reviewer must review it before it can be published."
                }
            )

    @property
    def next_review_on(self):
        if self.last_reviewed_on is None:
            return None
        return _add_months(self.last_reviewed_on, self.review_every_months)

    def review_is_due(self, today=None):
        """True when it was never reviewed or its review date has come."""
        if self.next_review_on is None:
            return True
        return self.next_review_on <= (today or datetime.date.today())

    @property
    def review_is_current(self):
        """True when a named clinician reviewed the wording shown now."""
        return bool(
            self.last_reviewed_on and self.reviewed_by and not self.awaiting_clinical_review
        )

    def clinical_wording(self):
        """The clinical wording as lines of text, to tell whether it changed."""
        return [f"{name}: {getattr(self, name)}" for name in self.CLINICAL_FIELDS]

    def may_be_published(self):
        return not (settings.CONTENT_REQUIRE_CLINICAL_REVIEW and self.awaiting_clinical_review)

    def _clinical_fields_changed(self):
        if not self.CLINICAL_FIELDS:
            return False
        stored = type(self).objects.filter(pk=self.pk).values(*self.CLINICAL_FIELDS).first()
        return stored is not None and any(
            stored[name] != getattr(self, name) for name in self.CLINICAL_FIELDS
        )

    @classmethod
    def note_clinical_change(cls, **lookup):
        """A child's clinical text changed: a published parent awaits review
        (and, where the clinic requires review, stops being published)."""
        changes = {"awaiting_clinical_review": True}
        if settings.CONTENT_REQUIRE_CLINICAL_REVIEW:
            changes["published"] = False
        cls.objects.filter(published=True, **lookup).update(**changes)


class Keyword(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return page_url("stretches:keyword", slug=self.slug)


class StretchQuerySet(PublishedQuerySet):
    def with_details(self):
        """Steps and keywords in their order, fetched in two queries for any
        number of stretches (a page of stretches must not query per stretch)."""
        return self.prefetch_related(
            "steps",
            Prefetch(
                "stretch_keywords",
                queryset=StretchKeyword.objects.select_related("keyword"),
            ),
        )


# A slow breath in (or out) for each half of a paced repetition, such as
# Cat-Cow's arch on the in-breath and round on the out-breath.
BREATH_SECONDS = 4


class Stretch(ClinicallyReviewed, TimeStampedModel):
    """One stretch: why it helps, how to do it, and how long to hold or how
    often to repeat it."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    position = models.PositiveIntegerField(
        default=0, help_text="Order in the list of all stretches (lowest first)."
    )
    benefit = models.TextField("how it helps")
    hold_min_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_max_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    repeat_min = models.PositiveSmallIntegerField("repeat at least (times)", null=True, blank=True)
    repeat_max = models.PositiveSmallIntegerField("repeat at most (times)", null=True, blank=True)
    default_hold_seconds = models.PositiveSmallIntegerField(
        "routine's default hold (seconds)",
        null=True,
        blank=True,
        help_text=(
            "Where the routine's hold timer starts, within the hold range. "
            "Leave empty to start at the longest hold."
        ),
    )
    each_side = models.BooleanField(
        default=False, help_text="Tick when the stretch is done once on each side."
    )
    image = models.ImageField(
        upload_to="stretches/",
        blank=True,
        validators=[validate_image],
        help_text="A photo or drawing of the stretch: JPEG, PNG or WebP, at most 8 MB.",
    )
    image_renditions = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Narrower WebP copies of the image, made when it is saved.",
    )
    image_alt = models.CharField(
        "image description",
        max_length=250,
        blank=True,
        help_text="What the image shows, for people who cannot see it. Required with an image.",
    )
    published = models.BooleanField(default=True)
    keywords = models.ManyToManyField(
        Keyword, through="StretchKeyword", related_name="stretches", blank=True
    )

    objects = StretchQuerySet.as_manager()

    CLINICAL_FIELDS = (
        "benefit",
        "hold_min_seconds",
        "hold_max_seconds",
        "repeat_min",
        "repeat_max",
        "each_side",
    )

    class Meta:
        ordering = ["position", "title"]
        verbose_name_plural = "stretches"
        permissions = [
            ("review_clinical_content", "Can mark guides and stretches clinically reviewed")
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return page_url("stretches:detail", slug=self.slug)

    def clean(self):
        errors = {}
        for low, high in (("hold_min_seconds", "hold_max_seconds"), ("repeat_min", "repeat_max")):
            low_value, high_value = getattr(self, low), getattr(self, high)
            if high_value is not None and low_value is None:
                errors[low] = "Give the lower number as well (the same number for an exact count)."
            elif low_value is not None and high_value is not None and low_value > high_value:
                errors[high] = "The upper number must not be below the lower one."
        if self.default_hold_seconds is not None and "hold_max_seconds" not in errors:
            low = self.hold_min_seconds
            high = self.hold_max_seconds if self.hold_max_seconds is not None else low
            if low is None:
                errors["default_hold_seconds"] = "Give the hold range first, or leave this empty."
            elif not low <= self.default_hold_seconds <= high:
                errors["default_hold_seconds"] = (
                    f"Choose a hold within the range, from {low} to {high} seconds."
                )
        if self.image and not self.image_alt.strip():
            errors["image_alt"] = "Describe the image for people who cannot see it."
        if errors:
            raise ValidationError(errors)
        super().clean()

    def clinical_wording(self):
        steps = [f"Step {step.position}: {step.text}" for step in self.steps.all()]
        return super().clinical_wording() + steps

    @property
    def guidance(self):
        """The hold or repetition guidance in words, e.g.
        "Hold 20–30 seconds, each side" or "Repeat 5–10 times"."""
        parts = []
        if self.hold_min_seconds is not None:
            parts.append(f"Hold {_span(self.hold_min_seconds, self.hold_max_seconds)} seconds")
        if self.repeat_min is not None:
            verb = "repeat" if parts else "Repeat"
            parts.append(f"{verb} {_span(self.repeat_min, self.repeat_max)} times")
        if parts and self.each_side:
            parts.append("each side")
        return ", ".join(parts)

    def timer_plan(self):
        """What the routine's player times for this stretch, from its dose:
        a hold (starting at the staff's default, else the longest hold, and
        adjustable within the range), held once or once on each side, and/or
        a number of repetitions paced by the breath (starting at the most).
        A stretch with neither is done at the patient's own pace."""
        hold = None
        if self.hold_min_seconds is not None:
            longest = self.hold_max_seconds or self.hold_min_seconds
            hold = {
                "min": self.hold_min_seconds,
                "max": longest,
                "default": self.default_hold_seconds or longest,
            }
        repetitions = None
        if self.repeat_min is not None:
            most = self.repeat_max or self.repeat_min
            repetitions = {
                "min": self.repeat_min,
                "max": most,
                "default": most,
                "breath_seconds": BREATH_SECONDS,
            }
        return {
            "hold": hold,
            "repetitions": repetitions,
            "sides": 2 if self.each_side else 1,
        }

    @cached_property
    def picture(self):
        """src, srcset, width and height for the stretch's <img>, or None."""
        if not self.image:
            return None
        return picture(self.image.storage, self.image_renditions) or {"src": self.image.url}

    @property
    def hold_seconds(self):
        """The longest hold, for schema.org's ISO 8601 durations."""
        return self.hold_max_seconds or self.hold_min_seconds

    @property
    def search_title(self):
        """The page title for search results: the title, then the first keyword
        ("Knee-to-Chest Stretch – chronic pain")."""
        keywords = self.ordered_keywords()
        return f"{self.title} – {keywords[0].name}" if keywords else self.title

    @property
    def search_description(self):
        """How it helps, the guidance, and as many of the keywords as fit in a
        search result's 200 characters."""
        text = " ".join(filter(None, [self.benefit, self.guidance and f"{self.guidance}."]))
        keywords = [keyword.name for keyword in self.ordered_keywords()]
        for count in range(len(keywords), 0, -1):
            candidate = f"{text} For {', '.join(keywords[:count])}."
            if len(candidate) <= 200:
                return candidate
        return Truncator(text).chars(200)

    def ordered_keywords(self):
        """Keywords in the order staff gave them (uses the prefetch when present)."""
        # Read three times per stretch on a guide's page: the prefetched rows
        # are read directly, without building a related manager each time.
        links = getattr(self, "_prefetched_objects_cache", {}).get("stretch_keywords")
        if links is None:
            links = self.stretch_keywords.all()
        return [link.keyword for link in links]


def _span(low, high):
    if high is None or high == low:
        return str(low)
    return f"{low}–{high}"


class Step(models.Model):
    """One line of a stretch's "How to Do It" instructions."""

    stretch = models.ForeignKey(Stretch, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stretch", "position"], name="unique_step_position_per_stretch"
            )
        ]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        Stretch.note_clinical_change(pk=self.stretch_id)

    def delete(self, *args, **kwargs):
        Stretch.note_clinical_change(pk=self.stretch_id)
        return super().delete(*args, **kwargs)


class StretchKeyword(models.Model):
    """A keyword on a stretch, in order: the article lists each stretch's
    keywords in its own order, which a plain many-to-many would lose."""

    stretch = models.ForeignKey(Stretch, on_delete=models.CASCADE, related_name="stretch_keywords")
    keyword = models.ForeignKey(Keyword, on_delete=models.CASCADE, related_name="stretch_links")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stretch", "keyword"], name="unique_keyword_per_stretch"
            )
        ]

    def __str__(self):
        return f"{self.stretch} – {self.keyword}"


class GuideQuerySet(PublishedQuerySet):
    def homepage(self):
        """The guide shown at the site's root: the one flagged as the home
        page, else the first published guide (`Meta.ordering` puts the
        flagged one first)."""
        return self.published().first()


class Guide(ClinicallyReviewed, TimeStampedModel):
    """An article made of ordered sections, one of which lists stretches.

    Health content must be reviewed regularly: the guide records when and by
    whom it was last reviewed, and is due again after `review_every_months`.
    """

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.CharField(
        max_length=300, blank=True, help_text="One or two sentences for search results."
    )
    published = models.BooleanField(default=True)
    is_homepage = models.BooleanField(
        "show on the home page",
        default=False,
        help_text="The guide shown at the site's address. Only one guide can have this.",
    )
    stretches = models.ManyToManyField(Stretch, through="GuideStretch", related_name="guides")

    objects = GuideQuerySet.as_manager()

    class Meta:
        ordering = ["-is_homepage", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_homepage"],
                condition=models.Q(is_homepage=True),
                name="only_one_homepage_guide",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return page_url("stretches:guide", slug=self.slug)

    def get_routine_url(self):
        """The home page's guide has the site's routine; others their own."""
        if self.is_homepage:
            return page_url("stretches:routine")
        return page_url("stretches:guide_routine", slug=self.slug)

    def clinical_wording(self):
        lines = []
        for section in self.sections.prefetch_related("points"):
            lines += [f"Heading: {section.heading}", f"Text: {section.body}"]
            lines += [f"Point: {point}" for point in section.points.all()]
            lines.append(f"Closing: {section.closing}")
        return lines


def _add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    # 31 January plus one month is the last day of February.
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate_day)
        except ValueError:
            continue
    raise ValueError(day)


class GuideSection(models.Model):
    """A part of a guide: a heading with paragraphs and points, or the place
    where the guide's stretches appear."""

    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        STRETCHES = "stretches", "The guide's stretches"

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TEXT)
    heading = models.CharField(max_length=200, blank=True)
    body = models.TextField(
        blank=True, help_text="Paragraphs, separated by an empty line. Shown before any points."
    )
    closing = models.TextField(
        blank=True, help_text="Paragraphs shown after the points (or after the stretches)."
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "position"], name="unique_section_position_per_guide"
            )
        ]

    def __str__(self):
        return self.heading or f"{self.get_kind_display()} section {self.position}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        Guide.note_clinical_change(pk=self.guide_id)

    def delete(self, *args, **kwargs):
        Guide.note_clinical_change(pk=self.guide_id)
        return super().delete(*args, **kwargs)

    @property
    def paragraphs(self):
        return _paragraphs(self.body)

    @property
    def closing_paragraphs(self):
        return _paragraphs(self.closing)


def _paragraphs(text):
    return [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]


class SectionPoint(models.Model):
    """A bulleted point in a section, with an optional bold lead-in
    (“Warm Up First:”) before its text."""

    section = models.ForeignKey(GuideSection, on_delete=models.CASCADE, related_name="points")
    position = models.PositiveIntegerField(default=0)
    lead_in = models.CharField(max_length=200, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.lead_in} {self.text}".strip()

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        Guide.note_clinical_change(sections=self.section_id)

    def delete(self, *args, **kwargs):
        Guide.note_clinical_change(sections=self.section_id)
        return super().delete(*args, **kwargs)


class GuideStretch(models.Model):
    """A stretch's place in a guide (“1. Child’s Pose”)."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="guide_stretches")
    stretch = models.ForeignKey(Stretch, on_delete=models.CASCADE, related_name="guide_links")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "stretch in guide"
        verbose_name_plural = "stretches in guide"
        constraints = [
            models.UniqueConstraint(fields=["guide", "stretch"], name="unique_stretch_per_guide")
        ]

    def __str__(self):
        return f"{self.guide}: {self.stretch}"


class Draft(TimeStampedModel):
    """An edit of a guide or a stretch, saved without touching the live page:
    the guide or stretch with its children as serialized rows (the shape a
    version has), to preview, publish, or have the worker publish at
    `publish_at` (see stretches/drafts.py)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content = GenericForeignKey("content_type", "object_id")
    snapshot = models.TextField(editable=False)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    publish_at = models.DateTimeField(
        "publish at", null=True, blank=True, help_text="The worker publishes the draft then."
    )

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="one_draft_per_content"
            )
        ]

    def __str__(self):
        return f"Draft of {self.content}"


# Revision history: a stretch's version holds its steps and keyword
# links, a guide's its sections, their points and its stretch order,
# so a revert restores the whole of either. A section edited on its
# own page saves a version of the whole guide.
reversion.register(Stretch, follow=["steps", "stretch_keywords"])
reversion.register(Step)
reversion.register(StretchKeyword)
reversion.register(Keyword)
reversion.register(Guide, follow=["sections", "guide_stretches"])
reversion.register(GuideSection, follow=["points", "guide"])
reversion.register(SectionPoint)
reversion.register(GuideStretch)
