"""The staff diary's admin pages: choosing a diary, the day and week pages,
a day's CSV export, and moving an appointment to another time.

DiaryAdmin and AppointmentAdmin mount these views behind the admin's sign-in;
each checks the appointment permissions itself, so staff who cannot view
appointments (content editors) get 403 on every one of them.
"""

import datetime

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from consultations.models import ConsultationRequest, OutboxMessage
from practice.models import Clinician, Location

from .availability import clinic_zone
from .day_export import export_day, export_filename
from .diary import DAY, SPANS, WEEK, Diary, clock
from .models import Appointment
from .notifications import queue_appointment_email
from .services import NotAllowed, OutsideAvailability, SlotTaken, reschedule_appointment
from .widgets import LabelledSplitDateTime

KINDS = {"clinician": Clinician, "location": Location}


# The years a diary can show: a day near the calendar's ends (9999-12-31)
# would overflow when its week or its UTC bounds are worked out.
DIARY_YEARS = range(2000, 2200)


def _parse_day(text):
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise Http404("Not a date (use YYYY-MM-DD).") from None
    if day.year not in DIARY_YEARS:
        raise Http404("No diary for that year.")
    return day


def time_from_link(request):
    """The time a diary link carries (?starts_at=, UTC ISO) in UK time, or
    None if it does not read as one."""
    try:
        starts_at = datetime.datetime.fromisoformat(request.GET.get("starts_at", ""))
    except ValueError:
        return None
    if starts_at.tzinfo is None or starts_at.year not in DIARY_YEARS:
        return None
    return starts_at.astimezone(clinic_zone())


def _owner(kind, pk):
    if kind not in KINDS:
        raise Http404
    return get_object_or_404(KINDS[kind], pk=pk)


def diary_url(kind, pk, span, day, **query):
    url = reverse("admin:booking_diary_page", args=[kind, pk, span, day.isoformat()])
    query = {key: value for key, value in query.items() if value}
    return f"{url}?{urlencode(query)}" if query else url


def request_being_booked(request):
    """The "call me" request staff are booking a time for (?consultation_request=), or None."""
    number = request.GET.get("consultation_request", "")
    if not (number.isascii() and number.isdigit()) or len(number) > 12:
        return None
    return ConsultationRequest.objects.filter(pk=int(number)).first()


class DiaryChoiceForm(forms.Form):
    """Which diary to open: a clinician or a location, a date, a day or a week."""

    diary = forms.ChoiceField(label="Clinician or location")
    day = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    span = forms.ChoiceField(
        label="Show", choices=[(DAY, "One day"), (WEEK, "One week")], initial=DAY, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["diary"].choices = [
            ("Clinicians", [(f"clinician-{c.pk}", c.name) for c in Clinician.objects.all()]),
            ("Locations", [(f"location-{loc.pk}", loc.name) for loc in Location.objects.all()]),
        ]


class DiaryViews:
    """The views, bound to the appointment admin for its site and permissions."""

    def __init__(self, model_admin):
        self.model_admin = model_admin
        self.admin_site = model_admin.admin_site

    def _require(self, request, action):
        if not request.user.has_perm(f"booking.{action}_appointment"):
            raise PermissionDenied

    def _context(self, request, **context):
        return {
            **self.admin_site.each_context(request),
            "opts": Appointment._meta,
            **context,
        }

    def index(self, request):
        """Choose a diary; the choice is sent here and redirected to its page."""
        self._require(request, "view")
        consultation = request_being_booked(request)
        today = timezone.localdate(timezone.now(), clinic_zone())
        form = DiaryChoiceForm(request.GET if "diary" in request.GET else None)
        if form.is_valid():
            kind, _, pk = form.cleaned_data["diary"].partition("-")
            return redirect(
                diary_url(
                    kind,
                    int(pk),
                    form.cleaned_data["span"] or DAY,
                    form.cleaned_data["day"],
                    consultation_request=consultation.pk if consultation else None,
                )
            )
        if not form.is_bound:
            form.initial = {"day": today}
        extra = {"consultation_request": consultation.pk if consultation else None}
        return TemplateResponse(
            request,
            "admin/booking/diary_index.html",
            self._context(
                request,
                title="Diary",
                form=form,
                consultation=consultation,
                clinicians=[
                    (c, diary_url("clinician", c.pk, DAY, today, **extra))
                    for c in Clinician.objects.active()
                ],
                locations=[
                    (loc, diary_url("location", loc.pk, DAY, today, **extra))
                    for loc in Location.objects.active()
                ],
            ),
        )

    def diary(self, request, kind, pk, span, day):
        """A day or week of one clinician's or one location's diary."""
        self._require(request, "view")
        if span not in SPANS:
            raise Http404
        owner = _owner(kind, pk)
        day = _parse_day(day)
        consultation = request_being_booked(request)
        diary = Diary(
            span=span,
            day=day,
            clinician=owner if kind == "clinician" else None,
            location=owner if kind == "location" else None,
            type_id=request.GET.get("type", ""),
        )
        keep = {
            "type": diary.appointment_type.pk if diary.appointment_type else None,
            "consultation_request": consultation.pk if consultation else None,
        }
        today = timezone.localdate(timezone.now(), clinic_zone())
        days = diary.days()
        for diary_day in days:
            diary_day.day_url = diary_url(kind, pk, DAY, diary_day.date, **keep)
            diary_day.export_url = reverse(
                "admin:booking_diary_export", args=[kind, pk, diary_day.date.isoformat()]
            )
            for entry in diary_day.entries:
                if getattr(entry, "is_free", False):
                    entry.links = [
                        (clock(start), self._booking_url(entry, start, diary, consultation))
                        for start in entry.starts
                    ]
                else:
                    entry.url = reverse("admin:booking_appointment_change", args=[entry.pk])
        return TemplateResponse(
            request,
            "admin/booking/diary.html",
            self._context(
                request,
                title=f"Diary: {owner}, "
                + (
                    f"{diary.first_day:%A} {diary.first_day.day} {diary.first_day:%B %Y}"
                    if span == DAY
                    else f"week of {diary.first_day.day} {diary.first_day:%B %Y}"
                ),
                owner=owner,
                kind=kind,
                diary=diary,
                days=days,
                consultation=consultation,
                zone_name=str(clinic_zone()),
                previous_url=diary_url(kind, pk, span, diary.step(-1), **keep),
                next_url=diary_url(kind, pk, span, diary.step(1), **keep),
                today_url=diary_url(kind, pk, span, today, **keep),
                day_view_url=diary_url(kind, pk, DAY, diary.first_day, **keep),
                week_view_url=diary_url(kind, pk, WEEK, diary.first_day, **keep),
                index_url=reverse("admin:booking_diary_changelist")
                + (f"?consultation_request={consultation.pk}" if consultation else ""),
                type_query=[(key, value) for key, value in keep.items() if key != "type" and value],
            ),
        )

    def _booking_url(self, free, start, diary, consultation):
        query = {
            "clinician": free.clinician.pk,
            "location": free.location.pk,
            "appointment_type": diary.appointment_type.pk,
            "starts_at": start.astimezone(datetime.UTC).isoformat(),
        }
        if consultation:
            query["consultation_request"] = consultation.pk
        return reverse("admin:booking_appointment_add") + "?" + urlencode(query)

    def export(self, request, kind, pk, day):
        """One day of the diary's appointments as CSV."""
        self._require(request, "view")
        owner = _owner(kind, pk)
        day = _parse_day(day)
        diary = Diary(
            span=DAY,
            day=day,
            clinician=owner if kind == "clinician" else None,
            location=owner if kind == "location" else None,
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{export_filename(day=day, name=f"{kind}-{owner.pk}")}"'
        )
        export_day(
            appointments=diary.appointments(),
            by=request.user,
            about=f"{day.isoformat()}, {kind} {owner.pk}",
            stream=response,
        )
        return response

    def move(self, request, pk):
        """Move an appointment to another time (and clinician or location),
        through the same rules and constraint as every booking."""
        self._require(request, "change")
        appointment = get_object_or_404(
            Appointment.objects.select_related("clinician", "location", "appointment_type"), pk=pk
        )
        form = MoveAppointmentForm(
            request.POST or None, appointment=appointment, initial=_move_initial(request)
        )
        if request.method == "POST" and form.is_valid():
            moved_to = timezone.localtime(appointment.starts_at, clinic_zone())
            self.model_admin.message_user(request, f"Moved to {moved_to:%a %d %b %Y, %H:%M %Z}.")
            return redirect(reverse("admin:booking_appointment_change", args=[appointment.pk]))
        return TemplateResponse(
            request,
            "admin/booking/move_appointment.html",
            self._context(
                request,
                title=f"Move appointment #{appointment.pk}",
                appointment=appointment,
                form=form,
                original=appointment,
                media=self.model_admin.media + form.media,
            ),
        )


def _move_initial(request):
    """The new time from a diary link, if it reads as one."""
    starts_at = time_from_link(request)
    return {} if starts_at is None else {"starts_at": starts_at}


class WallClockSplitDateTimeField(forms.SplitDateTimeField):
    """The date and time as typed, without a time zone: Django's own field
    refuses a time the clocks pass twice, which the move form asks about."""

    def compress(self, data_list):
        if data_list and None not in data_list[:2]:
            return datetime.datetime.combine(*data_list[:2])
        return super().compress(data_list)


class MoveAppointmentForm(forms.Form):
    FIRST, SECOND = "first", "second"

    starts_at = WallClockSplitDateTimeField(
        label="New time",
        widget=LabelledSplitDateTime,
        help_text="In the clinic's time zone (UK time).",
    )
    repeated_hour = forms.ChoiceField(
        label="On the night the clocks go back",
        choices=[
            ("", "Not needed"),
            (FIRST, "The first 01:00–01:59, British Summer Time (BST)"),
            (SECOND, "The second 01:00–01:59, Greenwich Mean Time (GMT)"),
        ],
        required=False,
        help_text="Only for a time between 01:00 and 01:59 that night, which happens twice.",
    )
    clinician = forms.ModelChoiceField(queryset=Clinician.objects.all())
    location = forms.ModelChoiceField(queryset=Location.objects.all())

    def __init__(self, *args, appointment, **kwargs):
        super().__init__(*args, **kwargs)
        self.appointment = appointment
        self.fields["clinician"].initial = appointment.clinician_id
        self.fields["location"].initial = appointment.location_id
        starts_at = self.initial.get("starts_at") or timezone.localtime(
            appointment.starts_at, clinic_zone()
        )
        self.fields["starts_at"].initial = starts_at
        if _happens_twice(starts_at.replace(tzinfo=None)):
            self.fields["repeated_hour"].initial = self.SECOND if starts_at.fold else self.FIRST

    def clean_starts_at(self):
        """The typed wall-clock time as an instant, or a clear refusal."""
        typed = self.cleaned_data["starts_at"]
        if _skipped(typed):
            raise ValidationError(
                f"{typed:%H:%M} does not exist on {typed:%-d %B %Y}: the clocks go forward "
                "an hour that night. Choose a time before or after the change."
            )
        return typed

    def _instant(self, typed):
        zone = clinic_zone()
        if not _happens_twice(typed):
            return typed.replace(tzinfo=zone)
        choice = self.cleaned_data.get("repeated_hour")
        if not choice:
            raise ValidationError(
                {
                    "repeated_hour": f"{typed:%H:%M} happens twice on {typed:%-d %B %Y}, "
                    "when the clocks go back: choose the first (BST) or the second (GMT)."
                }
            )
        return typed.replace(tzinfo=zone, fold=int(choice == self.SECOND))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        cleaned["starts_at"] = self._instant(cleaned["starts_at"])
        appointment = self.appointment
        clinician = cleaned["clinician"]
        if not appointment.appointment_type.clinicians.filter(pk=clinician.pk).exists():
            raise ValidationError(
                {
                    "clinician": f"{clinician} does not offer "
                    f"{appointment.appointment_type.name.lower()}s."
                }
            )
        try:
            with transaction.atomic():
                reschedule_appointment(
                    appointment=appointment,
                    starts_at=cleaned["starts_at"],
                    clinician=clinician,
                    location=cleaned["location"],
                )
                queue_appointment_email(
                    appointment=appointment, kind=OutboxMessage.Kind.BOOKING_CHANGE
                )
        except NotAllowed as refused:
            raise ValidationError(str(refused)) from None
        except OutsideAvailability as refused:
            raise ValidationError({"starts_at": str(refused)}) from None
        except SlotTaken as taken:
            raise ValidationError({"starts_at": taken_message(taken)}) from None
        return cleaned


def _happens_twice(wall_clock):
    """Whether the clinic's clocks show this (naive) time twice: on the night
    they go back, 01:00–01:59 comes once in summer time, once after."""
    zone = clinic_zone()
    return wall_clock.replace(tzinfo=zone, fold=0).utcoffset() != wall_clock.replace(
        tzinfo=zone, fold=1
    ).utcoffset() and not _skipped(wall_clock)


def _skipped(wall_clock):
    """Whether the clinic's clocks never show this (naive) time: on the night
    they go forward, 01:00–01:59 does not happen."""
    zone = clinic_zone()
    there_and_back = wall_clock.replace(tzinfo=zone).astimezone(datetime.UTC).astimezone(zone)
    return there_and_back.replace(tzinfo=None) != wall_clock


def taken_message(taken):
    """What staff read when the time they chose was taken: the nearest free ones."""
    nearest = "; ".join(slot.label for slot in taken.nearest) or "none in the week around it"
    return f"That time has just been taken. Nearest free times: {nearest}."
