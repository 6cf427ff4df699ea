import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string

from clinic.models import SiteSettings
from practice.contact import clinic_contact

PAGE_NAME = "unavailable.html"


class Command(BaseCommand):
    help = (
        "Write the 'please try again' page nginx shows when no app server answers "
        f"(STATIC_ROOT/{PAGE_NAME}, deploy/nginx/clinic.conf). Run it after collectstatic, "
        "and again after changing the clinic's phone or address."
    )

    def handle(self, *args, **options):
        site = SiteSettings.current()
        page = render_to_string(
            "503.html",
            {
                "site": site,
                "contact": clinic_contact(),
                "clinic_name": site.clinic_name,
                "emergency_number": settings.EMERGENCY_NUMBER,
                # nginx cannot tell whether a form it passed on was stored.
                "reached_us_unknown": True,
            },
        )
        folder = Path(settings.STATIC_ROOT)
        folder.mkdir(parents=True, exist_ok=True)
        # Written whole, then renamed: nginx never serves half a page.
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=folder, suffix=".tmp", delete=False
        ) as draft:
            draft.write(page)
        os.chmod(draft.name, 0o644)
        os.replace(draft.name, folder / PAGE_NAME)
        self.stdout.write(f"Wrote {folder / PAGE_NAME}")
