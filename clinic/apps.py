from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The project package as an app, for what belongs to the whole site: its
    settings record, the page cache, shared image handling and template tags."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic"
    verbose_name = "Clinic site"

    def ready(self):
        from . import page_cache
        from .models import SiteSettings

        # The clinic's name, logo and social links are in every page's header and footer.
        page_cache.register_content(SiteSettings)
        page_cache.connect_migrations()
