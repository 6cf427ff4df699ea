from django.conf import settings
from django.core.management.base import BaseCommand

from consultations.models import ConsultationRequest
from consultations.retention import expired_requests, purge_expired_requests


class Command(BaseCommand):
    help = (
        "Delete closed or declined consultation requests older than the retention period "
        "(CONSULTATION_RETENTION_MONTHS); open requests are kept. The worker does this daily. "
        "Shows what it would delete unless --apply is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--apply", action="store_true", help="Delete them (without it, nothing is deleted)."
        )
        parser.add_argument(
            "--months",
            type=int,
            default=settings.CONSULTATION_RETENTION_MONTHS,
            help="Retention period in months (default: %(default)s, from the settings).",
        )

    def handle(self, *args, apply, months, **options):
        expired = expired_requests(months=months).order_by("created_at")
        for consultation in expired.only("pk", "created_at"):
            self.stdout.write(f"#{consultation.pk} received {consultation.created_at:%Y-%m-%d}")
        still_open = ConsultationRequest.objects.open().older_than_months(months).count()
        if still_open:
            self.stdout.write(
                f"Kept {still_open} open request(s) older than {months} months "
                "until they are closed or declined."
            )
        if not apply:
            self.stdout.write(
                f"Dry run: {expired.count()} request(s) older than {months} months would be "
                "deleted. Run again with --apply to delete them."
            )
            return
        count = purge_expired_requests(months=months)
        self.stdout.write(
            self.style.SUCCESS(f"Deleted {count} request(s) older than {months} months.")
        )
