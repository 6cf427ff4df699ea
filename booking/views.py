"""The patient's booking steps at /book/: plain GET and POST pages
(post/redirect/get), the state kept in the session, never in a URL. Every
step may show health or personal data, so none may be cached."""

import datetime
import uuid
from itertools import groupby

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from clinic.filled_pages_wsgi import answer_ahead_with, never_cached
from clinic.models import ContentVersion
from clinic.recent import Recent
from consultations.red_flags import Urgency
from consultations.views import ADVICE_FOR_URGENCY
from practice.contact import clinic_contact
from practice.models import AppointmentType, Clinician, Location

from . import day_page, manage_links
from .availability import clinic_zone, free_slots
from .forms import (
    AppointmentChoiceForm,
    BookingDetailsForm,
    WarningSignsForm,
    parse_slot,
    slot_value,
)
from .models import Appointment, Hold
from .patient_booking import book_online, cancel_by_patient, move_by_patient
from .services import BookingError, SlotTaken, hold_left, hold_slot, keep_hold, release_hold

SESSION_KEY = "booking"
DONE_KEY = "booking_done"
PARTS_OF_DAY = (("Morning", 0, 12), ("Afternoon", 12, 17), ("Evening", 17, 24))
DETAIL_FIELDS = (
    "full_name",
    "email",
    "phone",
    "pain_duration_weeks",
    "pain_intensity",
    "description",
)


def _state(request):
    return dict(request.session.get(SESSION_KEY, {}))


def _save(request, state):
    request.session[SESSION_KEY] = state


def remember_hold(state, held):
    """The patient's session names the held time and until when it was promised."""
    # Saved with this step, before any booking: a confirmation sent again
    # after its reply was lost finds the appointment this key names.
    state.setdefault("booking_key", str(uuid.uuid4()))
    state.update(
        hold_token=str(held.token),
        hold_until=held.expires_at.isoformat(),
        starts_at=held.starts_at.isoformat(),
        held_clinician=held.clinician_id,
    )


def _release_held_time(state):
    token = state.pop("hold_token", None)
    state.pop("hold_until", None)
    state.pop("starts_at", None)
    state.pop("held_clinician", None)
    if token:
        release_hold(token=token)


def _choice(state):
    """The chosen type, location and clinician (None: first available), or None."""
    try:
        appointment_type = AppointmentType.objects.get(
            pk=state["appointment_type"], bookable_online=True
        )
        location = Location.objects.active().get(pk=state["location"])
    except (KeyError, AppointmentType.DoesNotExist, Location.DoesNotExist):
        return None
    clinician = Clinician.objects.active().filter(pk=state.get("clinician")).first()
    return appointment_type, location, clinician


def _covered_clinicians(choice):
    """The clinician chosen, or every active one offering the type."""
    appointment_type, _, clinician = choice
    return [clinician] if clinician else list(appointment_type.clinicians.active())


# Choices the day view was asked for lately, by content version (which
# changes with any edit to the types, places and clinicians): most patients
# look at a few weeks of the same choice, and these queries were a third of
# what a week from the cache cost.
_recent_choices = Recent()


def _week_choice(request, state):
    """(the choice, the clinicians it covers) for the day view, or None."""
    key = (
        ContentVersion.for_request(request),
        *(str(state.get(name)) for name in ("appointment_type", "location", "clinician")),
    )

    def make():
        choice = _choice(state)
        return None if choice is None else (choice, _covered_clinicians(choice))

    return _recent_choices.get_or_make(key, make)


def _advice(state):
    return ADVICE_FOR_URGENCY.get(Urgency(state.get("urgency", Urgency.ROUTINE)))


@never_cache
@sensitive_post_parameters()
def start(request):
    """The warning-sign screen, first; answers never stop a booking."""
    state = _state(request)
    if request.method == "GET" and request.GET.get("clinician"):
        state["clinician_slug"] = request.GET["clinician"][:60]
        _save(request, state)
    call_me = reverse("consultations:request")
    if request.GET.get("stretch"):
        call_me += "?" + urlencode({"stretch": request.GET["stretch"][:100]})
    if request.method == "POST":
        form = WarningSignsForm(request.POST)
        if form.is_valid():
            state.update(red_flags=form.red_flag_codes, urgency=int(form.urgency))
            _save(request, state)
            return redirect("booking:choose")
    else:
        form = WarningSignsForm(initial=_split_signs(state.get("red_flags", [])))
    return render(request, "booking/start.html", {"form": form, "call_me_url": call_me})


def _split_signs(codes):
    return {
        "emergency_signs": codes,
        "urgent_signs": codes,
        "discuss_soon_signs": codes,
    }


@never_cache
def choose(request):
    state = _state(request)
    if "red_flags" not in state:
        return redirect("booking:start")
    if request.method == "POST":
        form = AppointmentChoiceForm(request.POST)
        if form.is_valid():
            _release_held_time(state)
            clinician = form.cleaned_data["clinician"]
            state.update(
                appointment_type=form.cleaned_data["appointment_type"].pk,
                location=form.cleaned_data["location"].pk,
                clinician=clinician.pk if clinician else None,
                clinician_slug=clinician.slug if clinician else "",
            )
            _save(request, state)
            return redirect("booking:times")
    else:
        initial = {
            "appointment_type": state.get("appointment_type"),
            "location": state.get("location"),
            "clinician": state.get("clinician_slug") or "",
        }
        form = AppointmentChoiceForm(initial=initial)
    return render(request, "booking/choose.html", {"form": form, "advice": _advice(state)})


def _first_day(request):
    today = timezone.localdate(timezone.now(), clinic_zone())
    try:
        day = datetime.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        return today
    last = today + datetime.timedelta(weeks=settings.BOOKING_HORIZON_WEEKS)
    return min(max(day, today), last)


def day_view(slots):
    """Free times by local day and part of the day: one time per start
    (with "first available", the first clinician free then)."""
    zone = clinic_zone()
    seen = set()
    unique = []
    for slot in slots:
        if slot.starts_at not in seen:
            seen.add(slot.starts_at)
            unique.append((slot, slot.starts_at.astimezone(zone)))
    days = []
    for day, day_slots in groupby(unique, key=lambda pair: pair[1].date()):
        day_slots = list(day_slots)
        day_name = dateformat.format(day_slots[0][1], "l j F")
        parts = []
        for name, first_hour, last_hour in PARTS_OF_DAY:
            in_part = [(s, local) for s, local in day_slots if first_hour <= local.hour < last_hour]
            if in_part:
                parts.append(
                    {
                        "name": name,
                        "slots": [(slot_value(s), s) for s, _ in in_part],
                        "buttons": slot_buttons(in_part, day_name),
                    }
                )
        days.append({"date": day, "parts": parts})
    return days


SLOT_BUTTON = (
    '<li class="list-inline-item"><button type="submit" name="slot" value="{}" '
    'class="btn btn-outline-primary mb-2">{}<span class="visually-hidden"> on {}</span>'
    "</button></li>"
)


def slot_buttons(slots_with_local_times, day_name):
    """One day part's buttons, the same HTML as booking/_slot_buttons.html
    renders: a week of times can be hundreds of buttons, and through the
    template they cost more than the rest of the page."""
    buttons = "".join(
        format_html(SLOT_BUTTON, slot_value(slot), f"{local:%H:%M}", day_name)
        for slot, local in slots_with_local_times
    )
    # Each button was escaped by format_html.
    return mark_safe(f'<ul class="list-inline slot-times">{buttons}</ul>\n')


def _times_page(
    request,
    state,
    choice,
    *,
    clinicians=None,
    nearest=None,
    error="",
    status=200,
    made_only=False,
):
    """The day view. `made_only`: the plain week only if this process has
    already made it, else None (for `times_ahead`)."""
    now = timezone.now()  # one moment for the key and the page alike
    first_day = _first_day(request)
    if clinicians is None:
        clinicians = _covered_clinicians(choice)
    details_kept = bool(state.get("details_data") or state.get("answers"))

    def render_page(csrf_token=None):
        context = _times_context(
            state, choice, clinicians, first_day, now=now, nearest=nearest, error=error
        )
        if csrf_token:
            context["csrf_token"] = csrf_token
        context["details_kept"] = details_kept
        return render(request, "booking/times.html", context, status=status)

    if nearest is not None or error:
        return render_page()
    # The plain week of times looks the same to everyone who chose the same:
    # rendered once per state of the diary (booking/day_page.py).
    key = day_page.page_key(
        request,
        choice=choice,
        clinicians=clinicians,
        first_day=first_day,
        advice=_advice(state),
        details_kept=details_kept,
        now=now,
    )
    if made_only:
        return day_page.made_day_page(request, key)
    return day_page.day_page(
        request, key, lambda csrf_token: render_page(csrf_token).content.decode()
    )


def _times_context(state, choice, clinicians, first_day, *, now, nearest, error):
    appointment_type, location, clinician = choice
    slots = free_slots(
        appointment_type=appointment_type,
        clinicians=clinicians,
        location=location,
        start=first_day,
        days=7,
        now=now,
    )
    today = timezone.localdate(now, clinic_zone())
    later = first_day + datetime.timedelta(days=7)
    call_me = reverse("consultations:request")
    if clinician:
        call_me += "?" + urlencode({"clinician": clinician.slug})
    return {
        "appointment_type": appointment_type,
        "location": location,
        "clinician": clinician,
        "days": day_view(slots),
        "first_day": first_day,
        "later": later
        if later <= today + datetime.timedelta(weeks=settings.BOOKING_HORIZON_WEEKS)
        else None,
        "earlier": max(first_day - datetime.timedelta(days=7), today)
        if first_day > today
        else None,
        "call_me_url": call_me,
        "nearest": [(slot_value(s), s) for s in nearest or ()],
        "error": error,
        "advice": _advice(state),
        "details": _details_form(state) if nearest is not None else None,
    }


@never_cache
def times(request):
    state = _state(request)
    week_choice = _week_choice(request, state)
    if week_choice is None:
        return redirect("booking:choose")
    if state.get("hold_token"):
        # Back at the times: the held one is given back.
        _release_held_time(state)
        _save(request, state)
    choice, clinicians = week_choice
    # The plain week: answered ahead of Django's middleware next time
    # (clinic/filled_pages_wsgi.py).
    # `?from=` names the week shown: `times_ahead` reads it as `times` does.
    return answer_ahead_with(times_ahead, query=True)(
        _times_page(request, state, choice, clinicians=clinicians)
    )


def times_ahead(request):
    """The week of times as `times` answers it, for a request that skipped
    the middleware (clinic/filled_pages_wsgi.py): None unless it is the plain
    week this process has already made, with nothing to write."""
    state = _state(request)
    if state.get("hold_token"):
        return None  # giving the held time back is a write: Django does it
    week_choice = _week_choice(request, state)
    if week_choice is None:
        return None
    choice, clinicians = week_choice
    response = _times_page(request, state, choice, clinicians=clinicians, made_only=True)
    if response is not None:
        never_cached(response)
    return response


@never_cache
@sensitive_post_parameters()
@require_POST
def hold(request):
    """Hold the chosen time while the patient types."""
    state = _state(request)
    choice = _choice(state)
    if choice is None:
        return redirect("booking:choose")
    if any(name in request.POST for name in DETAIL_FIELDS):
        state["details_data"] = {name: request.POST.get(name, "")[:4000] for name in DETAIL_FIELDS}
    _release_held_time(state)
    _save(request, state)
    appointment_type, location, _ = choice
    parsed = parse_slot(request.POST.get("slot", ""))
    # Inactive ones too: the booking rules then say why they cannot be booked.
    clinician = parsed and Clinician.objects.filter(pk=parsed[0]).first()
    if not clinician:
        return _times_page(
            request, state, choice, error="Please choose one of the free times.", status=400
        )
    try:
        held = hold_slot(
            clinician=clinician,
            location=location,
            appointment_type=appointment_type,
            starts_at=parsed[1],
        )
    except SlotTaken as taken:
        return _times_page(request, state, choice, nearest=taken.nearest, status=409)
    except BookingError as error:
        return _times_page(request, state, choice, error=str(error), status=400)
    remember_hold(state, held)
    _save(request, state)
    return redirect("booking:details")


@never_cache
@require_POST
def leaving(request):
    """The held-time page went away without going on in the flow (its script
    sends this as the page is hidden): the time is held only a few seconds
    more, so a reload keeps it and a closed tab gives it back."""
    token = _state(request).get("hold_token")
    if token:
        hold_left(token=token)
    return HttpResponse(status=204)


@never_cache
@require_POST
def release(request):
    """ "Choose another time": give the held time back at once."""
    state = _state(request)
    _release_held_time(state)
    _save(request, state)
    return redirect("booking:times")


def _held(state):
    """(clinician, start, the hold if it is still live)."""
    try:
        clinician = Clinician.objects.get(pk=state["held_clinician"])
        starts_at = datetime.datetime.fromisoformat(state["starts_at"])
    except (KeyError, ValueError, Clinician.DoesNotExist):
        return None
    token = state.get("hold_token")
    if token and state.get("hold_until"):
        keep_hold(token=token, until=datetime.datetime.fromisoformat(state["hold_until"]))
    live = Hold.objects.filter(token=token, expires_at__gt=timezone.now()).first()
    return clinician, starts_at, live


def _details_form(state, data=None):
    return BookingDetailsForm(data, initial=state.get("details_data", {}))


def _summary(state, choice, held):
    appointment_type, location, _ = choice
    clinician, starts_at, live = held
    seconds = max(0, int((live.expires_at - timezone.now()).total_seconds())) if live else 0
    return {
        "appointment_type": appointment_type,
        "location": location,
        "clinician": clinician,
        "starts_at": starts_at.astimezone(clinic_zone()),
        "hold": live,
        "hold_seconds": seconds,
        "hold_minutes": -(-seconds // 60),
        "advice": _advice(state),
    }


@never_cache
@sensitive_post_parameters()
def details(request):
    state = _state(request)
    choice = _choice(state)
    held = _held(state)
    if choice is None or held is None:
        return redirect("booking:times")
    if request.method == "POST":
        form = _details_form(state, request.POST)
        state["details_data"] = {name: request.POST.get(name, "")[:4000] for name in DETAIL_FIELDS}
        _save(request, state)
        if form.is_valid():
            state["answers"] = form.answers()
            _save(request, state)
            return redirect("booking:review")
    else:
        form = _details_form(state)
    return render(request, "booking/details.html", {"form": form, **_summary(state, choice, held)})


@never_cache
@sensitive_post_parameters()
def review(request):
    state = _state(request)
    choice = _choice(state)
    held = _held(state)
    if choice is None or held is None:
        return redirect("booking:times")
    if "answers" not in state:
        return redirect("booking:details")
    if request.method == "POST":
        appointment_type, location, _ = choice
        clinician, starts_at, _ = held
        answers = state["answers"] | {
            "red_flags": state["red_flags"],
            "urgency": state["urgency"],
            "booking_key": state.get("booking_key"),
        }
        if already := _booked_with_key(state):
            return _booking_done(request, state, already)
        try:
            appointment = book_online(
                clinician=clinician,
                location=location,
                appointment_type=appointment_type,
                starts_at=starts_at,
                answers=answers,
                hold_token=state.get("hold_token"),
                waitlist_entry=state.get("waitlist_entry"),
            )
        except SlotTaken as taken:
            if already := _booked_with_key(state):
                return _booking_done(request, state, already)  # A double click.
            for key in ("hold_token", "hold_until", "starts_at", "held_clinician"):
                state.pop(key, None)
            _save(request, state)
            return _times_page(request, state, choice, nearest=taken.nearest, status=409)
        except BookingError as error:
            # The time can no longer be booked (passed, a closure, the
            # clinician left): give it back; the answers stay for the next one.
            _release_held_time(state)
            _save(request, state)
            return _times_page(request, state, choice, error=str(error), status=400)
        return _booking_done(request, state, appointment)
    return render(
        request,
        "booking/review.html",
        {"answers": state["answers"], **_summary(state, choice, held)},
    )


def _booked_with_key(state):
    key = state.get("booking_key")
    return key and Appointment.objects.filter(booking_key=key).first()


def _booking_done(request, state, appointment):
    request.session.pop(SESSION_KEY, None)
    request.session[DONE_KEY] = appointment.pk
    return redirect("booking:confirmed")


@never_cache
def confirmed(request):
    appointment = (
        Appointment.objects.select_related("clinician", "location", "appointment_type")
        .filter(pk=request.session.get(DONE_KEY))
        .first()
    )
    if appointment is None:
        return redirect("booking:start")
    return render(
        request,
        "booking/confirmed.html",
        {
            "appointment": appointment,
            "starts_at": appointment.starts_at.astimezone(clinic_zone()),
            "manage_url": manage_links.manage_path(appointment),
            "cutoff_hours": settings.BOOKING_CHANGE_CUTOFF_HOURS,
            "advice": ADVICE_FOR_URGENCY.get(Urgency(appointment.urgency)),
        },
    )


@never_cache
@sensitive_post_parameters()
def manage(request, token):
    """Cancel or move an appointment from the emailed link, up to the cut-off."""
    appointment = manage_links.appointment_for(token)
    if appointment is None:
        return render(request, "booking/manage_invalid.html", status=404)
    context = {
        "appointment": appointment,
        "starts_at": appointment.starts_at.astimezone(clinic_zone()),
        "can_change": manage_links.can_change_online(appointment),
        "cutoff_hours": settings.BOOKING_CHANGE_CUTOFF_HOURS,
        # After the cut-off: the place the patient is going to, else the clinic.
        "phone": appointment.location.phone or clinic_contact(request).phone,
        "token": token,
    }
    status = 200
    if request.method == "POST" and context["can_change"]:
        if request.POST.get("action") == "cancel":
            cancel_by_patient(appointment=appointment)
            return redirect("booking:manage", token=token)
        parsed = parse_slot(request.POST.get("slot", ""))
        if parsed is None or parsed[0] != appointment.clinician_id:
            context["error"] = "Please choose one of the free times."
            status = 400
        else:
            try:
                move_by_patient(appointment=appointment, starts_at=parsed[1])
                return redirect("booking:manage", token=token)
            except SlotTaken as taken:
                context["nearest"] = [(slot_value(s), s) for s in taken.nearest]
                status = 409
            except BookingError as error:
                context["error"] = str(error)
                status = 400
    if context["can_change"] and not appointment.clinician.is_active:
        context["clinician_unavailable"] = True
    elif context["can_change"]:
        first_day = _first_day(request)
        context["days"] = day_view(
            free_slots(
                appointment_type=appointment.appointment_type,
                clinicians=[appointment.clinician],
                location=appointment.location,
                start=first_day,
                days=7,
            )
        )
    return render(request, "booking/manage.html", context, status=status)
