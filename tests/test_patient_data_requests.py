"""Staff answer a patient's request to see, or to erase, what the clinic
holds: they see every request that would go, with the detail that links it,
and tick which ones. Chains of shared details are never followed."""

import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from booking.availability import free_slots
from booking.services import book_appointment
from consultations.models import ConsultationRequest
from tests.booking.builders import add_hours, make_appointment_type, make_clinician, make_location
from tests.booking.flow import EVERY_DAY
from tests.factories import make_consultation
from tests.staff import staff_in

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")


@pytest.fixture
def patient_requests():
    """Ada's two requests (same email), a third sharing only the second's
    phone, and someone else's."""
    first = make_consultation(full_name="Ada Lovelace", email="ada@example.com", phone="")
    second = make_consultation(full_name="Ada L.", email="ADA@example.com", phone="+442079460958")
    third = make_consultation(full_name="A. Lovelace", email="", phone="+442079460958")
    other = make_consultation(full_name="Someone Else", email="else@example.com")
    return [first, second, third], other


@pytest.fixture
def impostor_and_victim():
    """Someone gives a victim's phone on their own request, then asks for
    "their" data. The victim has a request with that phone, and another with
    only their email."""
    impostor = make_consultation(
        full_name="Mallory", email="mallory@example.com", phone="+447700900123"
    )
    victim_phone = make_consultation(
        full_name="Victoria Victim", email="vic@example.com", phone="+447700900123"
    )
    victim_email = make_consultation(full_name="Victoria V.", email="vic@example.com", phone="")
    return impostor, victim_phone, victim_email


def run_action(client, action, selected, **extra):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [c.pk for c in selected], **extra}
    )


def confirm(client, action, selected, ticked):
    return run_action(client, action, selected, confirm="yes", include=[str(c.pk) for c in ticked])


def offered_rows(response):
    return {row["request"].pk: row for row in response.context["rows"]}


@pytest.mark.parametrize("action", ["export_patient_data", "erase_patient_data"])
def test_the_preview_lists_the_selection_and_one_step_of_shared_details(
    admin_client, patient_requests, action
):
    (first, second, _third), _other = patient_requests
    response = run_action(admin_client, action, [first])
    assert response.status_code == 200
    rows = offered_rows(response)
    assert set(rows) == {first.pk, second.pk}
    assert rows[first.pk]["link"] == "selected"
    assert rows[second.pk]["link"] == f"same email as #{first.pk}"
    assert rows[first.pk]["ticked"] and not rows[second.pk]["ticked"]
    html = response.content.decode()
    assert f"same email as #{first.pk}" in html
    assert ConsultationRequest.objects.count() == 4


def test_a_stolen_phone_number_never_leads_to_the_victims_other_requests(
    admin_client, impostor_and_victim
):
    impostor, victim_phone, _victim_email = impostor_and_victim
    rows = offered_rows(run_action(admin_client, "export_patient_data", [impostor]))
    assert set(rows) == {impostor.pk, victim_phone.pk}
    assert rows[victim_phone.pk]["link"] == f"same phone as #{impostor.pk}"
    assert not rows[victim_phone.pk]["ticked"]


def test_export_holds_only_the_ticked_requests(admin_client, impostor_and_victim):
    impostor, _victim_phone, _ = impostor_and_victim
    response = confirm(admin_client, "export_patient_data", [impostor], [impostor])
    assert response["Content-Disposition"] == 'attachment; filename="patient-data.json"'
    exported = json.loads(response.content)["requests"]
    assert [r["Number"] for r in exported] == [impostor.pk]
    assert all("Consent wording" in r for r in exported)
    assert "Victoria" not in response.content.decode()


def test_export_holds_a_ticked_candidate_too(admin_client, patient_requests):
    (first, second, _), _ = patient_requests
    response = confirm(admin_client, "export_patient_data", [first], [first, second])
    exported = json.loads(response.content)["requests"]
    assert sorted(r["Number"] for r in exported) == sorted([first.pk, second.pk])


def test_erase_deletes_only_the_ticked_requests(admin_client, impostor_and_victim):
    impostor, victim_phone, victim_email = impostor_and_victim
    response = confirm(admin_client, "erase_patient_data", [impostor], [impostor])
    assert response.status_code == 302
    assert set(ConsultationRequest.objects.all()) == {victim_phone, victim_email}


def test_erase_of_a_ticked_candidate_deletes_it(admin_client, patient_requests):
    (first, second, third), other = patient_requests
    confirm(admin_client, "erase_patient_data", [first], [first, second])
    assert set(ConsultationRequest.objects.all()) == {third, other}


@pytest.mark.parametrize("action", ["export_patient_data", "erase_patient_data"])
def test_nothing_ticked_is_refused_clearly_and_nothing_happens(
    admin_client, patient_requests, action
):
    (first, _, _), _ = patient_requests
    response = confirm(admin_client, action, [first], [])
    assert response.status_code == 200
    assert "Tick at least one request" in response.content.decode()
    assert ConsultationRequest.objects.count() == 4


@pytest.mark.parametrize("smuggled", ["other", "not-a-number", "-1", "99999999999999999999"])
def test_a_request_that_was_not_offered_cannot_be_slipped_in(
    admin_client, patient_requests, smuggled
):
    (first, _second, _), other = patient_requests
    value = str(other.pk) if smuggled == "other" else smuggled
    response = run_action(
        admin_client, "erase_patient_data", [first], confirm="yes", include=[str(first.pk), value]
    )
    assert response.status_code == 200
    assert "Only the requests listed here can be chosen" in response.content.decode()
    assert ConsultationRequest.objects.count() == 4
    # What staff had ticked is kept for the next try.
    assert offered_rows(response)[first.pk]["ticked"]


def test_erasure_leaves_no_name_in_the_admin_log(admin_client, patient_requests):
    (first, _, _), _ = patient_requests
    # An entry as older versions wrote them, and one from the change form.
    LogEntry.objects.create(
        user=_any_user(),
        content_type=ContentType.objects.get_for_model(ConsultationRequest),
        object_id=str(first.pk),
        object_repr=f"Request #{first.pk} from Ada Lovelace",
        action_flag=CHANGE,
        change_message="Ada Lovelace asked to be called",
    )
    admin_client.post(
        reverse("admin:consultations_consultationrequest_change", args=[first.pk]),
        {"status": "contacted", "handled_by": "", "staff_notes": "Called Ada Lovelace"},
    )
    confirm(admin_client, "erase_patient_data", [first], [first])

    entries = LogEntry.objects.filter(object_id=str(first.pk))
    assert entries.count() == 2
    for entry in entries:
        assert entry.object_repr == f"Request #{first.pk} (erased)"
        assert "Ada" not in entry.change_message
    recent_actions = admin_client.get(reverse("admin:index")).content.decode()
    assert f"Request #{first.pk} (erased)" in recent_actions
    assert "Ada Lovelace" not in recent_actions


def _any_user():
    from django.contrib.auth.models import User

    return User.objects.first()


def test_content_editors_cannot_export_or_erase(client, patient_requests):
    client.force_login(staff_in("Content editors"))
    theirs, _ = patient_requests
    assert run_action(client, "export_patient_data", theirs).status_code == 403
    assert confirm(client, "export_patient_data", theirs, theirs).status_code == 403
    assert confirm(client, "erase_patient_data", theirs, theirs).status_code == 403
    assert ConsultationRequest.objects.count() == 4


@pytest.fixture
def booked_from_request(patient_requests):
    """An appointment staff booked from Ada's first request, her answers copied onto it."""
    (first, _, _), _ = patient_requests
    location = make_location(name="Islington clinic")
    clinician = make_clinician(name="Dr Rosa Mendes")
    add_hours(clinician, location, EVERY_DAY, ("09:00", "17:00"))
    appointment_type = make_appointment_type(clinicians=[clinician], name="Initial consultation")
    slot = free_slots(appointment_type=appointment_type, clinicians=[clinician], days=14)[0]
    return book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=slot.starts_at,
        patient_name=first.full_name,
        patient_email=first.email,
        answers={"description": "Sharp pain in the lower back", "consultation_request": first},
    )


def test_export_holds_the_appointments_booked_from_a_request(admin_client, booked_from_request):
    first = booked_from_request.consultation_request
    response = confirm(admin_client, "export_patient_data", [first], [first])
    [exported] = json.loads(response.content)["requests"]
    [appointment] = exported["Appointments booked from it"]
    assert appointment["Number"] == booked_from_request.pk
    assert appointment["Description"] == "Sharp pain in the lower back"
    assert appointment["Clinician"] == "Dr Rosa Mendes"


def test_the_erase_preview_says_appointments_booked_from_a_request_are_kept(
    admin_client, booked_from_request
):
    first = booked_from_request.consultation_request
    preview = run_action(admin_client, "erase_patient_data", [first])
    assert offered_rows(preview)[first.pk]["appointments"] == [booked_from_request]
    assert "are not erased with it" in preview.text
    confirm(admin_client, "erase_patient_data", [first], [first])
    booked_from_request.refresh_from_db()
    assert booked_from_request.consultation_request is None  # kept, as the page said


def test_the_erase_preview_says_nothing_of_appointments_when_there_are_none(
    admin_client, patient_requests
):
    (first, _, _), _ = patient_requests
    preview = run_action(admin_client, "erase_patient_data", [first])
    assert "are not erased with it" not in preview.text


@pytest.mark.parametrize("number", ["²", "9" * 5000])
def test_hostile_numbers_ticked_on_the_preview_are_refused(admin_client, patient_requests, number):
    theirs, _ = patient_requests
    response = run_action(
        admin_client, "erase_patient_data", theirs[:1], confirm="yes", include=[number]
    )
    assert response.status_code == 200
    assert "Only the requests listed here can be chosen" in response.content.decode()
    assert ConsultationRequest.objects.count() == 4
