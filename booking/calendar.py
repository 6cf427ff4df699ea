"""The RFC 5545 calendar file sent with each appointment email.

One UID per appointment, whatever happens to it; SEQUENCE is the
appointment's own counter, raised on every change, so calendar programs
replace the old entry. Times carry the clinic's TZID with its VTIMEZONE.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .availability import clinic_zone


def appointment_uid(appointment):
    return f"appointment-{appointment.pk}@{urlsplit(settings.SITE_URL).hostname}"


def where(appointment):
    """The address and how to get there; for telehealth, the video link and
    how the call works."""
    location = appointment.location
    if location.is_telehealth:
        join = f"Join the video call: {location.video_url}" if location.video_url else ""
        how = "\n\n".join(part for part in (join, location.video_call_note) if part)
        return f"Video call: {location.video_url}" if location.video_url else "Video call", how
    return ", ".join(location.address_lines), location.directions


def appointment_calendar(appointment, *, now=None):
    """The .ics text for the appointment as it is now: a cancelled one is
    sent as METHOD:CANCEL with STATUS:CANCELLED."""
    cancelled = not appointment.holds_time
    zone = clinic_zone()
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", now or timezone.now())
    event.add("dtstart", appointment.starts_at.astimezone(zone))
    event.add("dtend", appointment.ends_at.astimezone(zone))
    event.add(
        "summary",
        f"{appointment.appointment_type.name} with {appointment.clinician.name}, "
        f"{settings.CLINIC_NAME}",
    )
    address, directions = where(appointment)
    event.add("location", address)
    event.add("description", directions)
    if appointment.location.is_telehealth and appointment.location.video_url:
        event.add("url", appointment.location.video_url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()
