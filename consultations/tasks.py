"""The consultations app's background work, run by the worker
(`manage.py run_huey`)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .notifications import escalate_unopened_emergencies
from .outbox import deliver, deliver_due_messages, schedule_next_try
from .retention import purge_expired_requests

logger = logging.getLogger(__name__)


@db_task()
def deliver_outbox_message(message_id):
    message = deliver(message_id=message_id)
    if message is not None:
        schedule_next_try(message)


@db_periodic_task(crontab(minute="*"))
def sweep_outbox_and_escalate():
    """Every minute: send what is due but was never queued (the queue was
    down, the worker restarted) and alert staff about unopened emergencies."""
    for message in deliver_due_messages():
        schedule_next_try(message)
    escalate_unopened_emergencies()


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_expired_requests_daily():
    deleted = purge_expired_requests()
    logger.info("Retention: deleted %s expired consultation request(s).", deleted)
