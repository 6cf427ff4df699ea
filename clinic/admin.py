from django import forms
from django.contrib import admin
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse

from .images import CheckedImageFormField
from .models import SiteSettings, default_booking_confirmation
from .services import refresh_logo_renditions


class SiteSettingsForm(forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = ["booking_confirmation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form saved without the choice (one opened before it existed)
        # keeps the clinic's current choice rather than failing.
        self.fields["booking_confirmation"].required = False

    def clean_booking_confirmation(self):
        return (
            self.cleaned_data["booking_confirmation"]
            or self.instance.booking_confirmation
            or default_booking_confirmation()
        )


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One record: the list page opens it (or the form to create it)."""

    form = SiteSettingsForm
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.ImageField: {"form_class": CheckedImageFormField},
    }
    fieldsets = [
        (None, {"fields": ["clinic_name", "logo"]}),
        (
            "Contact details",
            {
                "description": "Shown in the footer of every page, in the privacy notice and "
                "on the pages that ask patients to try again later.",
                "fields": ["phone", "email", "postal_address"],
            },
        ),
        ("Appointments", {"fields": ["booking_confirmation"]}),
        (
            "Appointments",
            {
                "description": "Reminders go by email through the outbox, once per appointment.",
                "fields": ["reminder_hours_before"],
            },
        ),
        (
            "Social media",
            {
                "description": "Each link is shown in the footer of every page once it is set.",
                "fields": SiteSettings.SOCIAL_FIELDS,
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        logo_changed = "logo" in form.changed_data
        previous_logo = (
            SiteSettings.objects.filter(pk=obj.pk).values_list("logo", flat=True).first()
            if logo_changed
            else ""
        )
        super().save_model(request, obj, form, change)
        if logo_changed:
            refresh_logo_renditions(site=obj, previous_logo=previous_logo or "")

    def changelist_view(self, request, extra_context=None):
        if SiteSettings.objects.exists():
            return redirect(
                reverse("admin:clinic_sitesettings_change", args=[SiteSettings.SINGLETON_PK])
            )
        return redirect(reverse("admin:clinic_sitesettings_add"))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
