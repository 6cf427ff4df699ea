from django.apps import AppConfig


class StretchesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stretches"

    def ready(self):
        from django.db.models.signals import post_delete

        from clinic.page_cache import register_content

        from . import models, services

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
        # However a stretch is deleted (its page, the list's bulk action, a
        # script), its image files go with it.
        post_delete.connect(
            lambda instance, **kwargs: services.delete_image_files(stretch=instance),
            sender=models.Stretch,
            dispatch_uid="stretch-image-files",
            weak=False,
        )
