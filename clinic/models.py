import functools
import uuid

import phonenumbers
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import connection, models

from clinic.images import picture, validate_image
from clinic.recent import Recent


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


def default_booking_confirmation():
    return settings.BOOKING_CONFIRMATION


def parse_phone_number(value, region=None):
    """The number as phonenumbers reads it (PHONE_REGION when it has no
    country code), or None if it is not a number one can call."""
    try:
        number = phonenumbers.parse(value, region or settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def phone_uri(phone):
    """A tel: link for a phone number, in international form, or ""."""
    return _phone_uri(phone, settings.PHONE_REGION)


# Kept per number: parsing one costs about 40 µs, and every footer links it.
@functools.lru_cache(maxsize=256)
def _phone_uri(phone, region):
    number = parse_phone_number(phone, region) if phone else None
    if number is None:
        return ""
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone_number(value):
    if parse_phone_number(value) is None:
        raise ValidationError(
            "Enter a phone number patients can call, with its area code, "
            "for example 020 7946 0958 or +44 20 7946 0958.",
            code="invalid_phone",
        )


class ContentVersion(models.Model):
    """One row whose token changes whenever anything a public page shows is
    saved or deleted (see `clinic.page_cache`). Cached pages, their ETags and
    the cached site settings carry the token, so a change makes every earlier
    copy unreachable at once, in every process.

    The token is random rather than a counter so that a database restored
    from a backup never reuses a token that a cache still holds."""

    token = models.CharField(max_length=32)

    def __str__(self):
        return self.token

    @classmethod
    def current(cls):
        # Every cached page request runs this: plain SQL costs a fraction of
        # building the same query through the ORM (~15 µs against ~200 µs).
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT token FROM {cls._meta.db_table} WHERE id = 1")
            row = cursor.fetchone()
        return row[0] if row else cls.bump()

    @classmethod
    def for_request(cls, request):
        """The version as first read during this request: everything one
        response shows belongs to the same version."""
        version = getattr(request, "content_version", None)
        if version is None:
            version = request.content_version = cls.current()
        return version

    @classmethod
    def bump(cls):
        token = uuid.uuid4().hex
        if not cls.objects.filter(pk=1).update(token=token):
            cls.objects.create(pk=1, token=token)
        return token


REMINDER_HOURS_DEFAULT = 24


# The settings each content version gave lately, in this process: every page
# shows them, and each page read them from the shared cache again (unpickling
# a model, and a round trip with Redis). A version never changes, so the copy
# here is never stale; pages only read it.
_recent_site_settings = Recent()


class SiteSettings(TimeStampedModel):
    """The clinic's name, logo, contact details and social links, edited by
    staff: one row.

    Every page shows them, so `current()` keeps the row in the cache under the
    content version, which every save of this row changes: a page costs no
    query for them once the cache is warm, and a save reaches every process's
    next page at once, whether the cache is shared (Redis) or per process.
    """

    CACHE_KEY = "clinic:site-settings"
    CACHE_SECONDS = 24 * 60 * 60
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
    reminder_hours_before = models.PositiveSmallIntegerField(
        "send appointment reminders this many hours before",
        default=REMINDER_HOURS_DEFAULT,
        blank=True,
        validators=[MaxValueValidator(7 * 24)],
        help_text="Empty: 24. 0: send no reminders. A booking made closer to its time than "
        "this gets no reminder: its confirmation has just told the patient.",
    )
    facebook_url = models.URLField("Facebook", blank=True)
    instagram_url = models.URLField("Instagram", blank=True)
    x_url = models.URLField("X (Twitter)", blank=True)
    youtube_url = models.URLField("YouTube", blank=True)
    linkedin_url = models.URLField("LinkedIn", blank=True)
    tiktok_url = models.URLField("TikTok", blank=True)

    class BookingConfirmation(models.TextChoices):
        AUTOMATIC = "automatic", "Automatically, as soon as it is booked"
        STAFF = "staff", "By staff, who mark each booking confirmed"

    booking_confirmation = models.CharField(
        "appointments are confirmed",
        max_length=10,
        choices=BookingConfirmation.choices,
        default=default_booking_confirmation,
        help_text="A booking starts as “booked”; this says who moves it to “confirmed”.",
    )

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

    def clean(self):
        if self.reminder_hours_before is None:
            self.reminder_hours_before = REMINDER_HOURS_DEFAULT

    @classmethod
    def current(cls, request=None):
        """The saved settings, or unsaved defaults (settings.CLINIC_NAME, no
        logo, no social links) when staff have not saved any.

        With the `request`, the content version it already read is reused,
        and so are the settings: a page asks for them several times."""
        if request is not None and hasattr(request, "_site_settings"):
            return request._site_settings
        version = ContentVersion.for_request(request) if request else ContentVersion.current()
        site = _recent_site_settings.get_or_make(version, lambda: cls._for_version(version))
        if request is not None:
            request._site_settings = site
        return site

    @classmethod
    def _for_version(cls, version):
        key = f"{cls.CACHE_KEY}:{version}"
        site = cache.get(key)
        if site is None:
            site = cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls()
            cache.set(key, site, cls.CACHE_SECONDS)
            # The latest copy read, for pages shown without the database.
            cache.set(cls.CACHE_KEY, site, cls.CACHE_SECONDS)
        return site

    @classmethod
    def cached_or_default(cls):
        """The latest settings read into the cache, or the unsaved defaults:
        never a query, for pages shown when the database is down (503)."""
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
        return phone_uri(self.phone)

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
