from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The project package as an app, for what belongs to the whole site: its
    settings record, shared image handling and template tags."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic"
    verbose_name = "Clinic site"
