"""Reading the appointment emails the SMTP sink received."""

import email
from email import policy

import icalendar

from consultations.outbox import deliver_due_messages


def sent_emails(sink):
    """Send what is due, then every email the sink holds, parsed."""
    deliver_due_messages()
    return [
        email.message_from_string(mail["content"], policy=policy.default) for mail in sink.delivered
    ]


def body_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def calendar_of(message):
    """The attached .ics, parsed by icalendar, and its one event."""
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "appointment.ics"
    calendar = icalendar.Calendar.from_ical(part.get_content())
    (event,) = calendar.walk("VEVENT")
    return calendar, event
