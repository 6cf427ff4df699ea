from django.contrib import admin
from django.db import models

from booking.admin import AvailabilityExceptionInline, WeeklyHoursInline

from .models import AppointmentType, Clinician, Location, OpeningHours


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_main", "phone", "is_active", "order"]
    list_editable = ["order"]
    list_filter = ["kind", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline]
    # A map or video link typed without its scheme is taken as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Clinician)
class ClinicianAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "is_active", "order"]
    list_editable = ["order"]
    list_filter = ["is_active"]
    search_fields = ["name", "role"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [WeeklyHoursInline, AvailabilityExceptionInline]


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "duration_minutes", "price", "bookable_online", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["clinicians"]
