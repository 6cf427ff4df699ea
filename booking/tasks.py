"""The booking app's background work, run by the worker (`manage.py run_huey`)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .reminders import send_due_reminders
from .waitlist import offer_freed_times, purge_past_entries

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def send_reminders_and_waitlist_offers():
    """Every minute: write due reminders and offers of freed times to the
    outbox (its own sweep sends them). Safe to run in several workers at once."""
    send_due_reminders()
    offer_freed_times()


@db_periodic_task(crontab(hour="3", minute="27"))
def purge_past_waitlist_entries_daily():
    deleted = purge_past_entries()
    logger.info("Retention: deleted %s past waitlist entr(y/ies).", deleted)
