import phonenumbers
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models

from clinic.images import picture, validate_image


class TimeStampedModel(models.Model):
    """Records when a row was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def default_clinic_name():
    return settings.CLINIC_NAME


def default_clinic_phone():
    return settings.CLINIC_PHONE


def default_clinic_email():
    return settings.CLINIC_EMAIL


def default_clinic_address():
    return settings.CLINIC_ADDRESS


def parse_phone_number(value):
    """The number as phonenumbers reads it (PHONE_REGION when it has no
    country code), or None if it is not a number one can call."""
    try:
        number = phonenumbers.parse(value, settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def validate_phone_number(value):
    if parse_phone_number(value) is None:
        raise ValidationError(
            "Enter a phone number patients can call, with its area code, "
            "for example 020 7946 0958 or +44 20 7946 0958.",
            code="invalid_phone",
        )


class SiteSettings(TimeStampedModel):
    """The clinic's name, logo, contact details and social links, edited by
    staff: one row.

    Every page shows them, so `current()` keeps the row in the cache: a page
    costs no query for them once the cache is warm. Saving the row clears the
    cache at once; other processes with a process-local cache see the change
    within CACHE_SECONDS.
    """

    CACHE_KEY = "clinic:site-settings"
    CACHE_SECONDS = 300
    SINGLETON_PK = 1
    LOGO_HEIGHT = 48

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    clinic_name = models.CharField(
        max_length=100,
        default=default_clinic_name,
        help_text="Shown in the header, the footer and every page's title.",
    )
    logo = models.ImageField(
        upload_to="site/",
        blank=True,
        validators=[validate_image],
        width_field="logo_width",
        height_field="logo_height",
        help_text="Shown beside the clinic's name, 48 pixels high. JPEG, PNG or WebP.",
    )
    # Stored so that the page reserves the logo's space before it loads.
    logo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_renditions = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="WebP copies of the logo at the height it is shown (and twice that).",
    )
    phone = models.CharField(
        "phone number",
        max_length=32,
        blank=True,
        default=default_clinic_phone,
        validators=[validate_phone_number],
        help_text="Shown as typed in the footer and on the privacy and error pages; "
        "on a phone, tapping it calls the clinic.",
    )
    email = models.EmailField(
        "email address",
        blank=True,
        default=default_clinic_email,
        help_text="Where patients write to the clinic, including to see or delete their data.",
    )
    postal_address = models.TextField(
        blank=True,
        default=default_clinic_address,
        help_text="One part per line. Shown in the footer and in the privacy notice, "
        "which names the clinic as the data controller.",
    )
    facebook_url = models.URLField("Facebook", blank=True)
    instagram_url = models.URLField("Instagram", blank=True)
    x_url = models.URLField("X (Twitter)", blank=True)
    youtube_url = models.URLField("YouTube", blank=True)
    linkedin_url = models.URLField("LinkedIn", blank=True)
    tiktok_url = models.URLField("TikTok", blank=True)

    SOCIAL_FIELDS = [
        "facebook_url",
        "instagram_url",
        "x_url",
        "youtube_url",
        "linkedin_url",
        "tiktok_url",
    ]

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="site_settings_single_row")
        ]

    def __str__(self):
        return "Site settings"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        cache.delete(self.CACHE_KEY)
        return result

    @classmethod
    def current(cls):
        """The saved settings, or unsaved defaults (settings.CLINIC_NAME, no
        logo, no social links) when staff have not saved any."""
        site = cache.get(cls.CACHE_KEY)
        if site is None:
            site = cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls()
            cache.set(cls.CACHE_KEY, site, cls.CACHE_SECONDS)
        return site

    @classmethod
    def cached_or_default(cls):
        """The settings from the cache, or the unsaved defaults: never a
        query, for pages shown when the database is down (503)."""
        try:
            site = cache.get(cls.CACHE_KEY)
        except Exception:
            # The cache server can be down along with the database.
            site = None
        if not isinstance(site, cls) or site.get_deferred_fields():
            # A copy cached before a field was added would fetch it.
            return cls()
        return site

    @property
    def phone_uri(self):
        """A tel: link for the phone number, in international form, or ""."""
        number = parse_phone_number(self.phone) if self.phone else None
        if number is None:
            return ""
        return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    @property
    def postal_address_lines(self):
        return [line.strip() for line in self.postal_address.splitlines() if line.strip()]

    @property
    def logo_picture(self):
        """src, srcset, sizes, width and height for the header's logo, or None."""
        if not self.logo:
            return None
        if not self.logo_renditions:
            return {"src": self.logo.url, "width": self.logo_width, "height": self.logo_height}
        shown = self.logo_renditions[0]["width"]
        found = picture(self.logo.storage, self.logo_renditions, default_width=shown)
        return found | {"sizes": f"{shown}px"}

    @property
    def social_links(self):
        """(network, address) for each social link that is set, in a fixed order."""
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in self.SOCIAL_FIELDS
            if getattr(self, name)
        ]


class RateLimitCount(models.Model):
    """How often one client has used one rate-limited action in the current
    window (see clinic/ratelimit.py). Kept in the database, where page
    traffic cannot evict it and every worker process shares it."""

    key = models.CharField(max_length=200, unique=True, help_text="scope:client")
    window_start = models.BigIntegerField(help_text="Unix time the window began.")
    count = models.PositiveIntegerField()
    expires_at = models.BigIntegerField(db_index=True, help_text="Unix time it can be deleted.")

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return f"{self.key}: {self.count}"


class WorkerHeartbeat(models.Model):
    """When the background worker last ran: one row (see clinic/worker.py)."""

    SINGLETON_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"Worker last ran at {self.beat_at:%Y-%m-%d %H:%M:%S}"
