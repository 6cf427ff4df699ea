from django.apps import AppConfig


class PracticeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "practice"
    verbose_name = "The practice: clinicians, locations and appointment types"

    def ready(self):
        from booking.models import WeeklyHours
        from clinic import unavailable_page
        from clinic.page_cache import register_content

        from . import models

        # What the clinician and location pages show: the people, the places,
        # their opening hours and each clinician's weekly hours (never
        # appointments, which change all day and appear on no public page).
        register_content(
            models.Location,
            models.OpeningHours,
            models.Clinician,
            models.AppointmentType,
            models.AppointmentType.clinicians.through,
            WeeklyHours,
        )
        # The main location's phone, email and address are on the outage page.
        unavailable_page.keep_current(models.Location)
