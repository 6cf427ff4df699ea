"""What the clinicians' page shows, loaded in prepared queries
(clinic/prepared_queries.py): every active clinician with the appointment
types they see, and the active locations. With 20 clinicians,
`prefetch_related` spent more than the rest of the page on building a
many-to-many manager and an appointment type per clinician."""

from clinic.prepared_queries import PreparedQuery, leave_loaded

from .models import AppointmentType, Clinician, Location

_clinicians = PreparedQuery(lambda: Clinician.objects.active())
_links = PreparedQuery(
    lambda: AppointmentType.clinicians.through.objects.filter(clinician__is_active=True)
)
_appointment_types = PreparedQuery(lambda: AppointmentType.objects.all())
_locations = PreparedQuery(lambda: Location.objects.active())


def active_clinicians():
    """Active clinicians in their order, each with `appointment_types.all()`
    loaded, in the types' order."""
    clinicians = _clinicians()
    type_ids = {clinician.pk: set() for clinician in clinicians}
    for link in _links():
        type_ids[link.clinician_id].add(link.appointmenttype_id)
    appointment_types = _appointment_types()
    for clinician in clinicians:
        ids = type_ids[clinician.pk]
        leave_loaded(
            clinician,
            "appointment_types",
            [
                appointment_type
                for appointment_type in appointment_types
                if appointment_type.pk in ids
            ],
        )
    return clinicians


def active_locations():
    return _locations()
