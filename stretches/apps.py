from django.apps import AppConfig


class StretchesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stretches"

    def ready(self):
        from . import caching

        caching.connect_signals(self)
