"""Write due appointment reminders (and waitlist offers) to the outbox: what
the worker does every minute, for a cron job or a check by hand."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from booking.reminders import send_due_reminders
from booking.waitlist import offer_freed_times


class Command(BaseCommand):
    help = "Write due appointment reminders and waitlist offers to the outbox."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rounds", type=int, default=1, help="How many times to run, back to back."
        )

    def handle(self, *args, rounds, **options):
        reminders = offers = 0
        for _ in range(rounds):
            reminders += len(send_due_reminders())
            offers += len(offer_freed_times())
            close_old_connections()
            time.sleep(0)
        self.stdout.write(f"{reminders} reminder(s), {offers} waitlist offer(s) written.")
