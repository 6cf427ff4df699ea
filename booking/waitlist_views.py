"""The waitlist's pages: joining it from the day view, claiming a freed time
from the emailed link, and leaving it. Claiming holds the time with
hold_slot and continues in the booking steps (details, review), so a claim
meets the same rules and constraint as any booking."""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from .availability import clinic_zone
from .forms import WaitlistForm, slot_value
from .services import BookingError, SlotTaken, hold_slot
from .views import _choice, _release_held_time, _save, _state, remember_hold
from .waitlist import LinkRefused, entry_for, join_waitlist, leave_waitlist, offer_for

JOINED_KEY = "waitlist_joined"


@never_cache
@sensitive_post_parameters()
def join(request):
    """ "Tell me if an earlier time comes up", for the type, place and
    clinician (or any) chosen in the booking steps."""
    state = _state(request)
    choice = _choice(state)
    if choice is None:
        return redirect("booking:choose")
    appointment_type, location, clinician = choice
    status = 200
    if request.method == "POST":
        form = WaitlistForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            join_waitlist(
                appointment_type=appointment_type,
                location=location,
                clinician=clinician,
                before=data["before"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                consent_text=WaitlistForm.CONSENT_TEXT,
                red_flags=state.get("red_flags", []),
                urgency=state.get("urgency", 0),
            )
            request.session[JOINED_KEY] = data["before"].isoformat()
            return redirect("booking:waitlist_joined")
        status = 400
    else:
        form = WaitlistForm()
    return render(
        request,
        "booking/waitlist_join.html",
        {
            "form": form,
            "appointment_type": appointment_type,
            "location": location,
            "clinician": clinician,
        },
        status=status,
    )


@never_cache
def joined(request):
    if JOINED_KEY not in request.session:
        return redirect("booking:start")
    return render(request, "booking/waitlist_joined.html", {"before": request.session[JOINED_KEY]})


def _refused(request, refusal):
    return render(
        request, "booking/waitlist_link_refused.html", {"reason": str(refusal)}, status=404
    )


@never_cache
def claim(request, token):
    """The freed time offered in the email. Claiming holds it for this
    patient and goes on to their details; if someone claimed it first, they
    see that it has gone, the nearest free times, and stay on the list."""
    try:
        offer = offer_for(token)
    except LinkRefused as refusal:
        return _refused(request, refusal)
    entry = offer.entry
    context = {
        "offer": offer,
        "entry": entry,
        "starts_at": offer.starts_at.astimezone(clinic_zone()),
        "token": token,
    }
    if request.method != "POST":
        return render(request, "booking/waitlist_claim.html", context)
    state = _state(request)
    _release_held_time(state)
    state = {
        "red_flags": entry.red_flags,
        "urgency": entry.urgency,
        "appointment_type": entry.appointment_type_id,
        "location": entry.location_id,
        "clinician": entry.clinician_id,
        "clinician_slug": entry.clinician.slug if entry.clinician else "",
        "waitlist_entry": entry.pk,
        "details_data": {"full_name": entry.full_name, "email": entry.email, "phone": entry.phone},
    }
    _save(request, state)
    try:
        held = hold_slot(
            clinician=offer.clinician,
            location=entry.location,
            appointment_type=entry.appointment_type,
            starts_at=offer.starts_at,
        )
    except SlotTaken as taken:
        context["nearest"] = [(slot_value(slot), slot) for slot in taken.nearest]
        return render(request, "booking/waitlist_gone.html", context, status=409)
    except BookingError:
        # No longer bookable (too soon now, the clinician's hours changed…).
        context["nearest"] = []
        return render(request, "booking/waitlist_gone.html", context, status=409)
    remember_hold(state, held)
    _save(request, state)
    return redirect("booking:details")


@never_cache
def leave(request, token):
    try:
        entry = entry_for(token)
    except LinkRefused as refusal:
        return _refused(request, refusal)
    if request.method == "POST":
        leave_waitlist(entry)
        return render(request, "booking/waitlist_left.html")
    return render(request, "booking/waitlist_leave.html", {"entry": entry, "token": token})
