from django.core.management.base import BaseCommand

from clinic.unavailable_page import PAGE_NAME, write_page


class Command(BaseCommand):
    help = (
        "Write the 'please try again' page nginx shows when no app server answers "
        f"(STATIC_ROOT/{PAGE_NAME}, deploy/nginx/clinic.conf). Run it after collectstatic; "
        "systemd runs it as each app server starts or reloads, and the site writes it again "
        "when staff change the clinic's phone, email or address."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Wrote {write_page()}")
