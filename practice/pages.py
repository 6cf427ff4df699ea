"""What the clinicians' and locations' pages show, loaded in prepared
queries (clinic/prepared_queries.py). Building the ORM's queries cost these
pages more than rendering them: with 20 clinicians, `prefetch_related` spent
more than the rest of the clinicians' page on a many-to-many manager and an
appointment type per clinician."""

from clinic.prepared_queries import PreparedQuery, know_parents, leave_loaded

from .models import AppointmentType, Clinician, Location, OpeningHours

_clinicians = PreparedQuery(lambda: Clinician.objects.active())
_links = PreparedQuery(
    lambda: AppointmentType.clinicians.through.objects.filter(clinician__is_active=True)
)
_appointment_types = PreparedQuery(lambda: AppointmentType.objects.all())
_locations = PreparedQuery(lambda: Location.objects.active())
_clinician = PreparedQuery(lambda slug: Clinician.objects.active().filter(slug=slug))
_types_of = PreparedQuery(
    lambda clinician_id: AppointmentType.objects.filter(clinicians=clinician_id)
)
# booking.WeeklyHours, named through the relation: booking builds on this app.
_hours_of = PreparedQuery(
    lambda clinician_id: Clinician.weekly_hours.rel.related_model.objects.filter(
        clinician_id=clinician_id, location__is_active=True
    ).order_by("location__order", "location__name", "weekday", "starts")
)
_location = PreparedQuery(lambda slug: Location.objects.active().filter(slug=slug))
_opening_hours = PreparedQuery(
    lambda location_id: OpeningHours.objects.filter(location_id=location_id)
)
_clinicians_at = PreparedQuery(
    lambda location_id: (
        Clinician.objects.active().filter(weekly_hours__location_id=location_id).distinct()
    )
)


def active_clinicians():
    """Active clinicians in their order, each with `appointment_types.all()`
    loaded, in the types' order."""
    clinicians = _clinicians()
    type_ids = {clinician.pk: set() for clinician in clinicians}
    for link in _links():
        # A clinician made active since the first query is left for the next page.
        type_ids.get(link.clinician_id, set()).add(link.appointmenttype_id)
    appointment_types = _appointment_types()
    for clinician in clinicians:
        sees = [kind for kind in appointment_types if kind.pk in type_ids[clinician.pk]]
        leave_loaded(clinician, "appointment_types", sees)
    return clinicians


def active_locations():
    return _locations()


def active_clinician(slug):
    """The active clinician at `slug`, with `appointment_types.all()` loaded,
    or None."""
    clinician = next(iter(_clinician(slug)), None)
    if clinician is not None:
        leave_loaded(clinician, "appointment_types", _types_of(clinician.pk))
    return clinician


def working_hours(clinician):
    """The clinician's weekly hours at active locations, by location then
    day and time, each knowing its location."""
    locations = {location.pk: location for location in _locations()}
    return know_parents(_hours_of(clinician.pk), "location", locations)


def active_location(slug):
    """The active location at `slug`, with `opening_hours.all()` loaded, or None."""
    location = next(iter(_location(slug)), None)
    if location is not None:
        leave_loaded(location, "opening_hours", _opening_hours(location.pk))
    return location


def clinicians_at(location):
    """The active clinicians with weekly hours at `location`."""
    return _clinicians_at(location.pk)
