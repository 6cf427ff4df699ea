from django.apps import AppConfig


class BookingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "booking"
    verbose_name = "Booking: availability and appointments"

    def ready(self):
        from clinic.page_cache import register_content

        from .models import AvailabilityException, ClinicClosure

        # Leave and closures are rules of the diary, as weekly hours are: the
        # cached day view (booking/day_page.py) is keyed by the content
        # version, so a change to either must make a new one.
        register_content(AvailabilityException, ClinicClosure)
