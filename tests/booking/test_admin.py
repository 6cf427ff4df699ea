import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from booking.models import Appointment
from booking.services import book_appointment, move_appointment
from tests.booking.builders import london, make_diary
from tests.staff import sign_in_with_second_factor

pytestmark = pytest.mark.django_db

ADD = reverse("admin:booking_appointment_add")
CHANGELIST = reverse("admin:booking_appointment_changelist")
EVERY_DAY = (1, 2, 3, 4, 5, 6, 7)


@pytest.fixture
def diary():
    location, (clinician,), appointment_type = make_diary(weekdays=EVERY_DAY)
    return location, clinician, appointment_type


def next_week_at(hour, minute=0):
    day = timezone.localdate() + datetime.timedelta(days=7)
    return london(day.year, day.month, day.day, hour, minute)


def phoned_in(location, clinician, appointment_type, starts_at, **overrides):
    local = timezone.localtime(starts_at)
    return {
        "clinician": clinician.pk,
        "location": location.pk,
        "appointment_type": appointment_type.pk,
        "starts_at_0": local.strftime("%Y-%m-%d"),
        "starts_at_1": local.strftime("%H:%M"),
        "patient_name": "Grace Hopper",
        "patient_email": "grace@example.com",
        "patient_phone": "020 7946 0111",
    } | overrides


def test_staff_book_a_patient_who_phones_in(admin_client, admin_user, diary):
    starts_at = next_week_at(10)
    response = admin_client.post(ADD, phoned_in(*diary, starts_at))
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.starts_at == starts_at
    assert appointment.booked_by == admin_user
    assert appointment.source == Appointment.Source.STAFF
    assert appointment.blocks.count() == 6
    assert appointment.status_changes.first().changed_by_label == admin_user.username


def test_a_taken_time_is_a_clear_error_on_the_form_and_what_staff_typed_is_kept(
    admin_client, diary
):
    location, clinician, appointment_type = diary
    starts_at = next_week_at(10)
    book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=starts_at,
        patient_name="Ada Lovelace",
    )
    response = admin_client.post(ADD, phoned_in(*diary, starts_at + datetime.timedelta(minutes=15)))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["starts_at"]
    assert errors[0].startswith("That time has just been taken. Nearest free times: ")
    assert "09:30" in errors[0] and "10:30" in errors[0]
    assert 'value="Grace Hopper"' in response.content.decode()
    assert Appointment.objects.count() == 1


def test_a_time_outside_the_clinicians_hours_is_a_clear_error_on_the_form(admin_client, diary):
    response = admin_client.post(ADD, phoned_in(*diary, next_week_at(18)))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["starts_at"]
    assert "not available for the whole appointment" in errors[0]
    assert not Appointment.objects.exists()


def test_changing_the_status_on_the_page_records_who_and_when(admin_client, admin_user, diary):
    location, clinician, appointment_type = diary
    appointment = book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=next_week_at(10),
        patient_name="Ada Lovelace",
    )
    change = reverse("admin:booking_appointment_change", args=[appointment.pk])
    page = admin_client.get(change)
    assert "Status history" in page.content.decode()
    response = admin_client.post(change, {"status": Appointment.Status.CANCELLED_BY_CLINIC})
    assert response.status_code == 302
    last = appointment.status_changes.last()
    assert (last.to_status, last.changed_by) == ("cancelled_by_clinic", admin_user)
    assert not appointment.blocks.exists()


def test_a_move_that_does_not_fit_is_refused_on_the_page(admin_client, diary):
    location, clinician, appointment_type = diary
    appointment = book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=next_week_at(10),
        patient_name="Ada Lovelace",
    )
    move_appointment(appointment=appointment, to_status=Appointment.Status.NO_SHOW)
    change = reverse("admin:booking_appointment_change", args=[appointment.pk])
    response = admin_client.post(change, {"status": Appointment.Status.ARRIVED})
    assert response.status_code == 200
    assert "can only become: nothing" in response.content.decode()


def test_the_list_shows_each_patients_no_shows(admin_client, diary):
    location, clinician, appointment_type = diary
    for hour, email in [(9, "ada@example.com"), (10, "ADA@example.com"), (11, "bob@example.com")]:
        appointment = book_appointment(
            clinician=clinician,
            location=location,
            appointment_type=appointment_type,
            starts_at=next_week_at(hour),
            patient_name="Patient",
            patient_email=email,
        )
        if hour < 11:
            move_appointment(appointment=appointment, to_status=Appointment.Status.NO_SHOW)
    changelist = admin_client.get(CHANGELIST).context["cl"]
    no_shows = {a.patient_email: a.patient_no_shows for a in changelist.result_list}
    assert no_shows == {"ada@example.com": 2, "ADA@example.com": 2, "bob@example.com": 0}
    assert "Patient no-shows" in admin_client.get(CHANGELIST).content.decode()


def test_actions_move_appointments_and_say_which_could_not(admin_client, diary):
    location, clinician, appointment_type = diary
    first, second = (
        book_appointment(
            clinician=clinician,
            location=location,
            appointment_type=appointment_type,
            starts_at=next_week_at(hour),
            patient_name="Patient",
        )
        for hour in (9, 10)
    )
    move_appointment(appointment=second, to_status=Appointment.Status.CANCELLED_BY_PATIENT)
    response = admin_client.post(
        CHANGELIST,
        {"action": "mark_arrived", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    first.refresh_from_db()
    assert first.status == Appointment.Status.ARRIVED
    assert "1 could not move to arrived." in response.content.decode()


def test_clinician_admin_edits_weekly_hours_and_exceptions_inline(admin_client, diary):
    _, clinician, _ = diary
    page = admin_client.get(reverse("admin:practice_clinician_change", args=[clinician.pk]))
    html = page.content.decode()
    assert "Weekly hours" in html and "Availability exceptions" in html


def staff_in(group_name):
    user = User.objects.create_user(f"{group_name}-user", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def test_the_front_desk_books_appointments_and_content_editors_never_see_them(client, diary):
    sign_in_with_second_factor(client, staff_in("Front desk"))
    assert client.post(ADD, phoned_in(*diary, next_week_at(10))).status_code == 302
    assert Appointment.objects.get().source == Appointment.Source.STAFF
    client.force_login(staff_in("Content editors"))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(reverse("admin:practice_clinician_changelist")).status_code == 200


def test_a_time_that_does_not_exist_in_uk_time_is_a_form_error_not_a_crash(admin_client, diary):
    data = phoned_in(*diary, next_week_at(10)) | {
        "starts_at_0": "2027-03-28",
        "starts_at_1": "01:30",
    }
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["starts_at"]
    assert "may be ambiguous or it may not exist" in errors[0]
