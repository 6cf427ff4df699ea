from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from audit.models import AuditEntry
from consultations.erasure import forget_deleted_requests
from consultations.models import ConsultationRequest


class Command(BaseCommand):
    help = (
        "Delete consultation requests older than the retention period "
        "(CONSULTATION_RETENTION_MONTHS). Shows what it would delete unless --apply is given."
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
        expired = ConsultationRequest.objects.older_than_months(months).order_by("created_at")
        count = expired.count()
        for consultation in expired.only("pk", "created_at"):
            self.stdout.write(f"#{consultation.pk} received {consultation.created_at:%Y-%m-%d}")
        if not apply:
            self.stdout.write(
                f"Dry run: {count} request(s) older than {months} months would be deleted. "
                "Run again with --apply to delete them."
            )
            return
        with transaction.atomic():
            numbers = list(expired.values_list("pk", flat=True))
            ConsultationRequest.objects.filter(pk__in=numbers).delete()
            forget_deleted_requests(numbers, by=None, action=AuditEntry.Action.PURGED)
        self.stdout.write(
            self.style.SUCCESS(f"Deleted {count} request(s) older than {months} months.")
        )
