"""The stretches app's background work, run by the worker (`manage.py run_huey`)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .drafts import carry_out_schedules
from .reviews import send_review_reminders

logger = logging.getLogger(__name__)

# Monday morning, before the clinic opens.
WEEKLY_REVIEW_REMINDER = crontab(day_of_week="1", hour="7", minute="30")


# The reminders are not in the outbox: its messages belong to a consultation
# request. A failed send (the mail server is down) is retried by the worker.
@db_periodic_task(WEEKLY_REVIEW_REMINDER, retries=3, retry_delay=15 * 60)
def email_clinical_review_reminders():
    sent = send_review_reminders()
    logger.info("Clinical review reminders sent to %s content editor(s).", sent)


@db_periodic_task(crontab(minute="*"))
def publish_and_unpublish_on_schedule():
    """Every minute: publish the drafts and unpublish the content whose time has come."""
    for what, content in carry_out_schedules():
        logger.info("Schedule: %s %s #%s.", what, content._meta.verbose_name, content.pk)
