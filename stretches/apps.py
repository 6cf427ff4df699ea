from django.apps import AppConfig


class StretchesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stretches"

    def ready(self):
        from clinic.page_cache import register_content

        from . import models

        # Everything the guides, stretch and keyword pages show.
        register_content(
            models.Guide,
            models.GuideSection,
            models.SectionPoint,
            models.GuideStretch,
            models.Stretch,
            models.Step,
            models.Keyword,
            models.StretchKeyword,
        )
