"""Sending the outbox: each message is tried until it is delivered or
OUTBOX_MAX_ATTEMPTS tries have failed, waiting longer after each failure.

A try first claims the message with a conditional update, so two workers (or
a scheduled retry and the worker's sweep) never send it twice at once; the
claim lapses if the worker dies mid-send. Transactions stay short: no
database lock is held while the mail server is talked to.
"""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)


def claim_seconds():
    """How long a claimed message is left to its worker: longer than any send."""
    return max(60, settings.EMAIL_TIMEOUT * 6)


def deliver(*, message_id, now=None):
    """Try to send one due message. Returns the message after the try, or
    None when it is not due (sent, given up, or claimed by another try)."""
    now = now or timezone.now()
    claimed = (
        OutboxMessage.objects.due(now=now)
        .filter(pk=message_id)
        .update(next_attempt_at=now + datetime.timedelta(seconds=claim_seconds()))
    )
    if not claimed:
        return None
    message = OutboxMessage.objects.select_related("consultation").get(pk=message_id)
    try:
        email_for(message).send()
    except Exception as error:
        # Any failure (refused, timed out, unreachable) is tried again later.
        record_failure(message, error=error, now=now)
    else:
        message.record_delivery(now=now)
    return message


def email_for(message):
    """The email to send: the message, with its calendar file attached if it has one."""
    email = EmailMessage(
        message.subject, message.body, settings.DEFAULT_FROM_EMAIL, message.recipients
    )
    if message.calendar:
        email.attach("appointment.ics", message.calendar, "text/calendar")
    return email


def record_failure(message, *, error, now):
    message.record_failure(
        error=describe_error(error),
        now=now,
        max_attempts=settings.OUTBOX_MAX_ATTEMPTS,
        retry_seconds=settings.OUTBOX_RETRY_SECONDS,
        retry_max_seconds=settings.OUTBOX_RETRY_MAX_SECONDS,
    )
    # The request's number only: never an address or anything the patient wrote.
    if message.status == OutboxMessage.Status.PENDING:
        logger.warning(
            "Outbox message #%s (consultation request #%s) not sent on try %s (%s); "
            "trying again at %s.",
            message.pk,
            message.consultation_id,
            message.attempts,
            type(error).__name__,
            message.next_attempt_at.isoformat(),
        )
    elif message.alarm_raised_at:
        logger.error(
            "ALARM: emergency consultation request #%s: the staff alert (outbox message #%s) "
            "could not be sent after %s tries. Call the front desk.",
            message.consultation_id,
            message.pk,
            message.attempts,
        )
    else:
        logger.error(
            "Outbox message #%s (consultation request #%s) not sent after %s tries (%s).",
            message.pk,
            message.consultation_id,
            message.attempts,
            type(error).__name__,
        )


def describe_error(error):
    """What staff see as the last error: the kind of failure and the mail
    server's code and reply, not a traceback."""
    code = getattr(error, "smtp_code", None)
    reply = getattr(error, "smtp_error", b"")
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", errors="replace")
    detail = f"{code} {reply}".strip() if code else str(error)
    return f"{type(error).__name__}: {detail}"[:300]


def deliver_due_messages(*, now=None):
    """Try every message whose next try is due. Returns those tried."""
    due = OutboxMessage.objects.due(now=now or timezone.now()).order_by("next_attempt_at")
    # Without a given `now`, each try is timed when it starts.
    tried = (deliver(message_id=pk, now=now) for pk in list(due.values_list("pk", flat=True)))
    return [message for message in tried if message is not None]


def retry_now(messages, *, now=None):
    """Give unsent messages a fresh set of tries, starting now (the admin's
    "retry now"). An alarm stays up until the message is sent or dismissed."""
    now = now or timezone.now()
    unsent = messages.exclude(status=OutboxMessage.Status.SENT)
    ids = list(unsent.values_list("pk", flat=True))
    with transaction.atomic():
        OutboxMessage.objects.filter(pk__in=ids).update(
            status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=now
        )
        for pk in ids:
            transaction.on_commit(partial(nudge_worker, pk))
    return len(ids)


def schedule_next_try(message):
    """After a failed try, queue the next one for when it is due."""
    if message.status == OutboxMessage.Status.PENDING:
        wait = (message.next_attempt_at - timezone.now()).total_seconds()
        nudge_worker(message.pk, delay=max(wait, 0.01))


def nudge_worker_on_commit(message):
    transaction.on_commit(partial(nudge_worker, message.pk))


def nudge_worker(message_id, *, delay=None):
    """Ask the worker to try a message now (or after `delay` seconds). If the
    queue cannot be reached, the message is safe in the outbox all the same:
    the worker's sweep sends it within a minute."""
    from .tasks import deliver_outbox_message

    try:
        if delay:
            deliver_outbox_message.schedule(args=(message_id,), delay=delay)
        else:
            deliver_outbox_message(message_id)
    except Exception:
        logger.warning(
            "Could not queue outbox message #%s; the worker's sweep will send it.",
            message_id,
            exc_info=True,
        )
