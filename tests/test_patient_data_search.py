"""Staff answer a patient's data request from one page: they give the email
or phone the patient used, see every request, appointment (booked online or
by staff) and waiting-list entry giving it, tick which are the patient's, and
export or erase them."""

import datetime
import json

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from audit.models import AuditEntry
from booking.availability import free_slots
from booking.models import Appointment, WaitlistEntry
from booking.services import book_appointment
from consultations.models import ConsultationRequest
from tests.booking.builders import add_hours, make_appointment_type, make_clinician, make_location
from tests.booking.flow import EVERY_DAY
from tests.factories import make_consultation
from tests.staff import sign_in_with_second_factor, staff_in
from tests.test_property_based import any_text, hypothesis_settings

pytestmark = pytest.mark.django_db

PAGE = reverse("admin:patient_data_patientdatasearch_changelist")


@pytest.fixture
def practice():
    location = make_location(name="Islington clinic")
    clinician = make_clinician(name="Dr Rosa Mendes")
    add_hours(clinician, location, EVERY_DAY, ("09:00", "17:00"))
    appointment_type = make_appointment_type(clinicians=[clinician], name="Initial consultation")
    return location, clinician, appointment_type


def book_online(practice, slot_index, **patient):
    location, clinician, appointment_type = practice
    slot = free_slots(appointment_type=appointment_type, clinicians=[clinician], days=14)[
        slot_index
    ]
    return book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=slot.starts_at,
        **patient,
    )


def join_waitlist(practice, **patient):
    location, clinician, appointment_type = practice
    return WaitlistEntry.objects.create(
        appointment_type=appointment_type,
        location=location,
        clinician=clinician,
        before=datetime.date.today() + datetime.timedelta(days=30),
        consent_text="Email me about earlier times.",
        **patient,
    )


@pytest.fixture
def adas_records(practice):
    """Ada's request, an appointment she booked online without one, and her
    place on the waiting list (her phone typed as she likes it); and someone
    else's of each kind."""
    return {
        "request": make_consultation(
            full_name="Ada Lovelace", email="ada@example.com", phone="+442079460958"
        ),
        "appointment": book_online(
            practice, 0, patient_name="Ada Lovelace", patient_email="ADA@example.com"
        ),
        "waitlist_entry": join_waitlist(
            practice, full_name="Ada L.", email="a.lovelace@example.org", phone="020 7946 0958"
        ),
        "others": [
            make_consultation(full_name="Someone Else", email="else@example.com", phone=""),
            book_online(practice, 1, patient_name="Someone Else", patient_email="else@example.com"),
            join_waitlist(practice, full_name="Someone Else", email="else@example.com", phone=""),
        ],
    }


def find(client, **contact):
    return client.post(PAGE, {"email": "", "phone": "", **contact, "do": "find"})


def act(client, do, contact, request=(), appointment=(), waitlist_entry=()):
    return client.post(
        PAGE,
        {
            "email": "",
            "phone": "",
            **contact,
            "do": do,
            "request": [r.pk for r in request],
            "appointment": [a.pk for a in appointment],
            "waitlist_entry": [e.pk for e in waitlist_entry],
        },
    )


def listed(response):
    found = response.context["found"]
    return {
        kind: {row.pk: links for row, links in getattr(found, kind)}
        for kind in ("requests", "appointments", "waitlist_entries")
    }


def test_the_email_finds_requests_online_bookings_and_the_waiting_list_in_any_case(
    admin_client, adas_records
):
    response = find(admin_client, email="Ada@Example.com")
    assert response.status_code == 200
    assert listed(response) == {
        "requests": {adas_records["request"].pk: ["same email"]},
        "appointments": {adas_records["appointment"].pk: ["same email"]},
        "waitlist_entries": {},
    }
    html = response.content.decode()
    assert "Ada Lovelace" in html and "Someone Else" not in html
    assert " checked" not in html, "nothing is ticked until staff check each record"


def test_the_phone_finds_records_whatever_way_it_was_typed(admin_client, adas_records):
    response = find(admin_client, phone="+44 20 7946 0958")
    assert listed(response) == {
        "requests": {adas_records["request"].pk: ["same phone"]},
        "appointments": {},
        "waitlist_entries": {adas_records["waitlist_entry"].pk: ["same phone"]},
    }


@pytest.mark.parametrize("typed", ["020 7946 09 58", "(020) 7946-09.58", "+44 (0)20 7946 0958"])
def test_a_number_typed_with_separators_anywhere_is_found(admin_client, practice, typed):
    entry = join_waitlist(practice, full_name="Ada L.", email="ada@example.org", phone=typed)
    response = find(admin_client, phone="+442079460958")
    assert listed(response)["waitlist_entries"] == {entry.pk: ["same phone"]}


def test_both_details_list_each_record_once_with_what_matched(admin_client, adas_records):
    response = find(admin_client, email="ada@example.com", phone="02079460958")
    assert listed(response)["requests"] == {
        adas_records["request"].pk: ["same email", "same phone"]
    }


def test_a_found_record_never_leads_on_to_others(admin_client, adas_records, practice):
    """The waiting-list entry shares Ada's phone but gives another email: a
    search by that email finds the entry only, not Ada's request or booking."""
    response = find(admin_client, email="a.lovelace@example.org")
    assert listed(response) == {
        "requests": {},
        "appointments": {},
        "waitlist_entries": {adas_records["waitlist_entry"].pk: ["same email"]},
    }


def test_the_export_holds_only_the_ticked_records_of_each_kind(admin_client, adas_records):
    contact = {"email": "ada@example.com", "phone": "020 7946 0958"}
    response = act(
        admin_client,
        "export",
        contact,
        request=[adas_records["request"]],
        appointment=[adas_records["appointment"]],
        waitlist_entry=[adas_records["waitlist_entry"]],
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="patient-data.json"'
    data = json.loads(response.content)
    assert [r["Full name"] for r in data["requests"]] == ["Ada Lovelace"]
    assert [a["Number"] for a in data["appointments"]] == [adas_records["appointment"].pk]
    [entry] = data["waiting-list entries"]
    assert entry["Phone"] == "020 7946 0958" and entry["Clinician"] == "Dr Rosa Mendes"
    assert "Someone Else" not in response.content.decode()
    [audit] = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED_JSON)
    assert audit.numbers == [adas_records["request"].pk]
    assert audit.detail == (
        f"appointments #{adas_records['appointment'].pk}; "
        f"waiting-list entries #{adas_records['waitlist_entry'].pk}"
    )
    assert "Ada" not in audit.detail


def test_an_appointment_booked_from_an_exported_request_is_listed_once(
    admin_client, adas_records, practice
):
    request = adas_records["request"]
    from_request = book_online(
        practice,
        2,
        patient_name=request.full_name,
        patient_email=request.email,
        answers={"consultation_request": request},
    )
    contact = {"email": "ada@example.com"}
    assert set(listed(find(admin_client, **contact))["appointments"]) == {
        adas_records["appointment"].pk,
        from_request.pk,
    }
    data = json.loads(
        act(
            admin_client,
            "export",
            contact,
            request=[request],
            appointment=[adas_records["appointment"], from_request],
        ).content
    )
    [exported_request] = data["requests"]
    assert [a["Number"] for a in exported_request["Appointments booked from it"]] == [
        from_request.pk
    ]
    assert [a["Number"] for a in data["appointments"]] == [adas_records["appointment"].pk]


def test_a_patient_who_only_booked_online_can_have_their_data(admin_client, adas_records):
    contact = {"email": "else@example.com"}
    _, booking, _ = adas_records["others"]
    data = json.loads(act(admin_client, "export", contact, appointment=[booking]).content)
    assert data["requests"] == [] and data["waiting-list entries"] == []
    assert [a["Email"] for a in data["appointments"]] == ["else@example.com"]


def test_erasing_deletes_ticked_requests_and_waiting_list_entries_and_keeps_appointments(
    admin_client, adas_records
):
    contact = {"email": "ada@example.com", "phone": "020 7946 0958"}
    response = act(
        admin_client,
        "erase",
        contact,
        request=[adas_records["request"]],
        appointment=[adas_records["appointment"]],  # not offered for erasure: ignored
        waitlist_entry=[adas_records["waitlist_entry"]],
    )
    assert response.status_code == 200
    assert not ConsultationRequest.objects.filter(pk=adas_records["request"].pk).exists()
    assert not WaitlistEntry.objects.filter(pk=adas_records["waitlist_entry"].pk).exists()
    assert Appointment.objects.filter(pk=adas_records["appointment"].pk).exists()
    assert ConsultationRequest.objects.count() == WaitlistEntry.objects.count() == 1
    assert listed(response) == {
        "requests": {},
        "appointments": {adas_records["appointment"].pk: ["same email"]},
        "waitlist_entries": {},
    }
    assert "Erased 1 request(s) and 1 waiting-list entry(ies)" in response.content.decode()
    [audit] = AuditEntry.objects.filter(action=AuditEntry.Action.ERASED)
    assert audit.numbers == [adas_records["request"].pk]
    assert audit.detail == f"waiting-list entries #{adas_records['waitlist_entry'].pk}"


def test_erasing_only_a_waiting_list_entry_is_in_the_audit_trail(admin_client, adas_records):
    entry = adas_records["waitlist_entry"]
    act(admin_client, "erase", {"phone": "020 7946 0958"}, waitlist_entry=[entry])
    assert not WaitlistEntry.objects.filter(pk=entry.pk).exists()
    [audit] = AuditEntry.objects.filter(action=AuditEntry.Action.ERASED)
    assert audit.numbers == [] and audit.detail == f"waiting-list entries #{entry.pk}"


@pytest.mark.parametrize("do", ["export", "erase"])
def test_a_record_that_was_not_found_cannot_be_slipped_in(admin_client, adas_records, do):
    someone_else, their_booking, their_entry = adas_records["others"]
    response = act(
        admin_client,
        do,
        {"email": "ada@example.com"},
        request=[adas_records["request"], someone_else],
        appointment=[their_booking],
        waitlist_entry=[their_entry],
    )
    assert response.status_code == 200
    assert "Only the records listed here can be chosen" in response.content.decode()
    assert ConsultationRequest.objects.count() == WaitlistEntry.objects.count() == 2
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("do", ["export", "erase"])
def test_nothing_ticked_is_refused_clearly_and_the_details_are_kept(admin_client, adas_records, do):
    response = act(admin_client, do, {"email": "ada@example.com"})
    html = response.content.decode()
    assert f"Tick at least one record to {do}." in html
    assert 'value="ada@example.com"' in html
    assert ConsultationRequest.objects.count() == 2
    assert not AuditEntry.objects.exists()


def test_a_search_needs_an_email_or_a_phone(admin_client, adas_records):
    response = find(admin_client)
    assert "Give the email address or phone number the patient used." in response.content.decode()
    assert not response.context["searched"]


def test_a_phone_that_is_no_number_is_refused_and_the_email_kept(admin_client, adas_records):
    response = find(admin_client, email="ada@example.com", phone="call me")
    html = response.content.decode()
    assert "Please give a phone number like 020 7946 0958." in html
    assert 'value="ada@example.com"' in html
    assert not response.context["searched"]


def test_the_patients_details_never_travel_in_the_address(admin_client, adas_records):
    """A search is posted: an email in the query string is not searched, so
    no patient detail reaches an access log."""
    response = admin_client.get(PAGE, {"email": "ada@example.com"})
    assert response.status_code == 200
    assert not response.context["searched"]
    assert '<form method="post"' in response.content.decode()


def test_front_desk_staff_use_the_page_after_their_second_factor(client, adas_records):
    sign_in_with_second_factor(client, staff_in("Front desk"))
    assert (
        "find a patient&#x27;s data" in client.get(reverse("admin:index")).content.decode().lower()
    )
    response = find(client, email="ada@example.com")
    assert listed(response)["requests"] == {adas_records["request"].pk: ["same email"]}
    assert 'value="erase"' in response.content.decode()


def test_content_editors_cannot_find_export_or_erase(client, adas_records):
    client.force_login(staff_in("Content editors"))
    assert client.get(PAGE).status_code == 403
    assert find(client, email="ada@example.com").status_code == 403
    response = act(client, "erase", {"email": "ada@example.com"}, request=[adas_records["request"]])
    assert response.status_code == 403
    assert ConsultationRequest.objects.count() == 2


def test_staff_who_may_not_delete_can_export_but_not_erase(client, adas_records):
    viewer = User.objects.create_user("viewer", password="pw-for-tests-only", is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_consultationrequest", "view_appointment", "view_waitlistentry"]
        )
    )
    sign_in_with_second_factor(client, viewer)
    response = find(client, email="ada@example.com")
    assert 'value="erase"' not in response.content.decode()
    erase = act(client, "erase", {"email": "ada@example.com"}, request=[adas_records["request"]])
    assert erase.status_code == 403
    assert ConsultationRequest.objects.filter(pk=adas_records["request"].pk).exists()


@pytest.mark.parametrize("number", ["²", "9" * 5000, "-1", "1.0", " 1"])
def test_hostile_numbers_are_refused_not_a_server_error(admin_client, adas_records, number):
    response = admin_client.post(
        PAGE, {"email": "ada@example.com", "do": "erase", "request": [number]}
    )
    assert response.status_code == 200
    assert "Only the records listed here can be chosen" in response.content.decode()
    assert ConsultationRequest.objects.count() == 2


@hypothesis_settings
@given(
    form=st.dictionaries(
        st.sampled_from(["email", "phone", "do", "request", "appointment", "waitlist_entry"]),
        any_text | st.lists(any_text, max_size=3),
    )
)
def test_any_input_gets_an_answer_never_an_error(admin_client, adas_records, form):
    response = admin_client.post(PAGE, form)
    assert response.status_code == 200
    assert Appointment.objects.count() == 2, "appointments are never erased here"
