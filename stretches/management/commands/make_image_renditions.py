from django.core.management.base import BaseCommand

from stretches.models import Stretch
from stretches.services import refresh_image_renditions


class Command(BaseCommand):
    help = (
        "Make the phone-sized copies of every stretch image again (the admin makes "
        "them on upload; run this after images were added another way)."
    )

    def handle(self, *args, **options):
        stretches = Stretch.objects.exclude(image="")
        for stretch in stretches:
            refresh_image_renditions(stretch=stretch)
        self.stdout.write(f"Made renditions for {len(stretches)} stretch images.")
