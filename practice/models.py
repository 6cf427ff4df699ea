from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from clinic.images import validate_image
from clinic.models import TimeStampedModel
from clinic.page_urls import page_url


class Weekday(models.IntegerChoices):
    """ISO weekday numbers, as `date.isoweekday()` gives them."""

    MONDAY = 1, "Monday"
    TUESDAY = 2, "Tuesday"
    WEDNESDAY = 3, "Wednesday"
    THURSDAY = 4, "Thursday"
    FRIDAY = 5, "Friday"
    SATURDAY = 6, "Saturday"
    SUNDAY = 7, "Sunday"


class ActiveQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


def validate_video_url(url):
    if not url.startswith("https://"):
        raise ValidationError("Give the video call's secure link (it starts with https://).")


def validate_openstreetmap_url(url):
    if not url.startswith(("https://www.openstreetmap.org/", "https://openstreetmap.org/")):
        raise ValidationError("Give a link to the map on openstreetmap.org (https://…).")


class Location(TimeStampedModel):
    """A place patients see the clinic's clinicians, or telehealth (a video call)."""

    class Kind(models.TextChoices):
        CLINIC = "clinic", "Clinic"
        TELEHEALTH = "telehealth", "Telehealth (video call)"

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CLINIC)
    is_main = models.BooleanField(
        "main location",
        default=False,
        help_text="The address and phone number shown in the site's footer.",
    )
    address = models.TextField(blank=True, help_text="One line per line of the address.")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    directions = models.TextField(blank=True)
    accessibility_notes = models.TextField(blank=True)
    map_url = models.URLField(
        "OpenStreetMap link",
        blank=True,
        validators=[validate_openstreetmap_url],
        help_text="A link to the map on openstreetmap.org; no map is embedded in the page.",
    )
    video_call_note = models.TextField(
        blank=True,
        help_text="Telehealth only: how the call works. The video link is sent on confirmation.",
    )
    # One link per telehealth location, not per appointment: clinics use a
    # video service's waiting room (the clinician admits each patient), and
    # without a link made per call there is nothing to store per appointment.
    # Patients get it only with their own booking: it is never on a public page.
    video_url = models.URLField(
        "video call link",
        blank=True,
        validators=[validate_video_url],
        help_text="Telehealth only: the https:// link patients join the call with. "
        "Sent in the confirmation email and shown on the patient's own booking pages, "
        "never on the public pages.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_main"], condition=models.Q(is_main=True), name="one_main_location"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return page_url("practice:location", slug=self.slug)

    @property
    def is_telehealth(self):
        return self.kind == self.Kind.TELEHEALTH

    @property
    def address_lines(self):
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    def clean(self):
        if self.kind == self.Kind.CLINIC and not self.address.strip():
            raise ValidationError({"address": "A clinic needs an address."})
        if self.kind == self.Kind.TELEHEALTH and not self.video_url:
            raise ValidationError({"video_url": "Give the link patients join the video call with."})


class OpeningHours(models.Model):
    """When a location's doors are open: several ranges a day are allowed."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["location", "weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="opening_hours_closes_after_opens",
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Clinician(TimeStampedModel):
    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    role = models.CharField(max_length=120, help_text="e.g. “Pain medicine consultant”.")
    qualifications = models.CharField(max_length=200, blank=True, help_text="e.g. “MBBS, FRCA”.")
    photo = models.ImageField(upload_to="clinicians/", blank=True, validators=[validate_image])
    photo_alt = models.CharField(
        "photo description",
        max_length=200,
        blank=True,
        help_text="What the photo shows, for people who cannot see it. Required with a photo.",
    )
    bio = models.TextField("short biography", blank=True)
    languages = models.CharField(
        max_length=200, default="English", help_text="Comma-separated, e.g. “English, Polish”."
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        "buffer after appointments (minutes)",
        default=10,
        help_text="Kept free after each appointment for notes and turnover. A multiple of 5.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive clinicians have no page and take no bookings."
    )

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return page_url("practice:clinician", slug=self.slug)

    @property
    def language_list(self):
        return [language.strip() for language in self.languages.split(",") if language.strip()]

    def clean(self):
        if self.photo and not self.photo_alt.strip():
            raise ValidationError({"photo_alt": "Describe the photo for people who cannot see it."})
        if self.buffer_minutes % 5:
            raise ValidationError({"buffer_minutes": "Give the buffer in multiples of 5 minutes."})


class AppointmentType(TimeStampedModel):
    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5)], help_text="A multiple of 5, e.g. 45."
    )
    price = models.CharField(
        "price or cover", max_length=120, help_text="e.g. “£120” or “Covered by most insurers”."
    )
    description = models.TextField(blank=True)
    clinicians = models.ManyToManyField(Clinician, related_name="appointment_types", blank=True)
    bookable_online = models.BooleanField(
        "can be booked online",
        default=True,
        help_text="Otherwise only staff book it (by phone).",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return f"{self.name} ({self.duration_minutes} min)"

    def clean(self):
        if self.duration_minutes and self.duration_minutes % 5:
            raise ValidationError(
                {"duration_minutes": "Give the duration in multiples of 5 minutes."}
            )
