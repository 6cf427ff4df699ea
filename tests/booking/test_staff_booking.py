"""Staff moving appointments, booking a time for a "call me" request, and
the clinic's choice of who confirms bookings: all through the same rules
and the same constraint as patients online."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEntry
from booking.models import Appointment, OccupiedBlock
from booking.services import book_appointment, move_appointment
from clinic.models import SiteSettings
from consultations.models import ConsultationRequest, OutboxMessage
from consultations.red_flags import Urgency
from tests.booking.builders import london, make_appointment_type, make_clinician, make_diary
from tests.booking.test_admin import ADD, next_week_at, phoned_in
from tests.factories import make_consultation

pytestmark = pytest.mark.django_db

EVERY_DAY = (1, 2, 3, 4, 5, 6, 7)


@pytest.fixture
def diary():
    location, (clinician,), appointment_type = make_diary(weekdays=EVERY_DAY)
    return location, clinician, appointment_type


def book(location, clinician, appointment_type, starts_at, name="Ada Lovelace"):
    return book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=starts_at,
        patient_name=name,
        patient_email=f"{name.split()[0].lower()}@example.com",
    )


def move_form(appointment, starts_at, **overrides):
    local = starts_at.astimezone(datetime.UTC).astimezone(next_week_at(9).tzinfo)
    return {
        "starts_at_0": local.strftime("%Y-%m-%d"),
        "starts_at_1": local.strftime("%H:%M"),
        "clinician": appointment.clinician_id,
        "location": appointment.location_id,
    } | overrides


def move_url(appointment):
    return reverse("admin:booking_appointment_move", args=[appointment.pk])


def test_staff_move_an_appointment_to_a_free_time_and_the_patient_is_told(admin_client, diary):
    appointment = book(*diary, next_week_at(10))

    response = admin_client.post(move_url(appointment), move_form(appointment, next_week_at(11)))

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == next_week_at(11)
    assert appointment.sequence == 1
    change = OutboxMessage.objects.get(kind=OutboxMessage.Kind.BOOKING_CHANGE)
    assert change.appointment == appointment and change.recipients == ["ada@example.com"]
    # The old time is free again: another patient can have it.
    assert book(*diary, next_week_at(10), name="Grace Hopper").starts_at == next_week_at(10)


def test_staff_moving_onto_a_taken_time_is_refused_and_nothing_changes(admin_client, diary):
    appointment = book(*diary, next_week_at(10))
    book(*diary, next_week_at(11), name="Grace Hopper")
    blocks_before = set(appointment.blocks.values_list("starts_at", flat=True))

    response = admin_client.post(
        move_url(appointment), move_form(appointment, next_week_at(11, 15))
    )

    assert response.status_code == 200
    error = response.context["form"].errors["starts_at"][0]
    assert error.startswith("That time has just been taken. Nearest free times: ")
    assert 'value="11:15"' in response.content.decode()  # what staff typed is kept
    appointment.refresh_from_db()
    assert appointment.starts_at == next_week_at(10) and appointment.sequence == 0
    assert set(appointment.blocks.values_list("starts_at", flat=True)) == blocks_before
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.BOOKING_CHANGE).exists()


def test_staff_moving_outside_the_clinicians_hours_get_a_clear_message(admin_client, diary):
    appointment = book(*diary, next_week_at(10))
    response = admin_client.post(move_url(appointment), move_form(appointment, next_week_at(18)))
    assert (
        "not available for the whole appointment" in response.context["form"].errors["starts_at"][0]
    )
    appointment.refresh_from_db()
    assert appointment.starts_at == next_week_at(10)


def test_staff_cannot_move_an_appointment_to_a_clinician_who_does_not_offer_its_type(
    admin_client, diary
):
    appointment = book(*diary, next_week_at(10))
    other = make_clinician(name="Dr Other")
    make_appointment_type(clinicians=[other])
    response = admin_client.post(
        move_url(appointment), move_form(appointment, next_week_at(11), clinician=other.pk)
    )
    assert "does not offer" in response.context["form"].errors["clinician"][0]
    appointment.refresh_from_db()
    assert appointment.clinician_id != other.pk


def test_a_cancelled_appointment_cannot_be_moved(admin_client, diary):
    appointment = book(*diary, next_week_at(10))
    move_appointment(appointment=appointment, to_status=Appointment.Status.CANCELLED_BY_CLINIC)
    response = admin_client.post(move_url(appointment), move_form(appointment, next_week_at(11)))
    assert "cannot be moved" in response.content.decode()
    assert not OccupiedBlock.objects.exists()


def test_the_appointment_page_offers_the_move_and_shows_the_history_and_no_shows(
    admin_client, admin_user, diary
):
    appointment = book(*diary, next_week_at(10))
    move_appointment(appointment=appointment, to_status=Appointment.Status.ARRIVED, by=admin_user)
    html = admin_client.get(
        reverse("admin:booking_appointment_change", args=[appointment.pk])
    ).content.decode()
    assert move_url(appointment) in html
    assert "Confirmed by automatic" in html and f"Arrived by {admin_user.username}" in html
    assert "patient no-shows" in html.lower()


def test_a_call_me_request_is_booked_from_its_page_and_the_two_stay_linked(
    admin_client, admin_user, diary
):
    _, clinician, _ = diary
    request = make_consultation(
        full_name="Grace Hopper",
        email="grace@example.com",
        phone="+442079460111",
        red_flags=["fever"],
        urgency=Urgency.URGENT,
        pain_intensity=8,
    )
    request_page = reverse("admin:consultations_consultationrequest_change", args=[request.pk])
    diary_index = reverse("admin:booking_diary_changelist") + f"?consultation_request={request.pk}"
    assert diary_index in admin_client.get(request_page).content.decode()

    # The diary carries the request to the booking form, which is filled in from it.
    diary_page = reverse(
        "admin:booking_diary_page",
        args=["clinician", clinician.pk, "day", next_week_at(9).date().isoformat()],
    )
    html = admin_client.get(diary_page, {"consultation_request": request.pk}).content.decode()
    assert f"consultation_request={request.pk}" in html.replace("&amp;", "&")
    form = admin_client.get(ADD, {"consultation_request": request.pk}).context["adminform"].form
    assert form.initial["patient_name"] == "Grace Hopper"
    assert form.initial["patient_phone"] == "+442079460111"

    response = admin_client.post(
        ADD,
        phoned_in(*diary, next_week_at(10))
        | {
            "patient_name": "Grace Hopper",
            "patient_email": "grace@example.com",
            "consultation_request": request.pk,
        },
    )

    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.consultation_request == request
    assert appointment.urgency == Urgency.URGENT and appointment.red_flags == ["fever"]
    assert appointment.pain_intensity == 8 and appointment.consent_text == request.consent_text
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.SCHEDULED
    assert request.handled_by == admin_user
    assert (
        AuditEntry.objects.about_request(request.pk)
        .filter(action=AuditEntry.Action.STATUS_CHANGED, detail="new → scheduled (booked a time)")
        .exists()
    )
    appointment_page = reverse("admin:booking_appointment_change", args=[appointment.pk])
    assert appointment_page in admin_client.get(request_page).content.decode()
    assert request_page in admin_client.get(appointment_page).content.decode()


def test_a_request_whose_chosen_time_was_taken_stays_as_it_was(admin_client, diary):
    request = make_consultation(full_name="Grace Hopper")
    book(*diary, next_week_at(10))
    response = admin_client.post(
        ADD, phoned_in(*diary, next_week_at(10)) | {"consultation_request": request.pk}
    )
    assert response.status_code == 200
    assert Appointment.objects.count() == 1
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.NEW


def test_a_tampered_request_number_on_the_booking_form_is_a_form_error(admin_client, diary):
    response = admin_client.post(
        ADD, phoned_in(*diary, next_week_at(10)) | {"consultation_request": "99999"}
    )
    assert response.status_code == 200
    assert not Appointment.objects.exists()
    assert admin_client.get(ADD, {"consultation_request": "1 OR 1=1"}).status_code == 200


def test_when_the_clinic_confirms_by_hand_bookings_wait_as_booked(admin_client, admin_user, diary):
    SiteSettings.objects.create(booking_confirmation=SiteSettings.BookingConfirmation.STAFF)
    appointment = book(*diary, next_week_at(10))
    assert appointment.status == Appointment.Status.BOOKED

    admin_client.post(
        reverse("admin:booking_appointment_changelist"),
        {"action": "mark_confirmed", "_selected_action": [appointment.pk]},
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED
    assert appointment.status_changes.last().changed_by_label == admin_user.username


def test_when_the_clinic_confirms_automatically_bookings_are_confirmed_at_once(diary):
    SiteSettings.objects.create(booking_confirmation=SiteSettings.BookingConfirmation.AUTOMATIC)
    appointment = book(*diary, next_week_at(10))
    assert appointment.status == Appointment.Status.CONFIRMED
    assert appointment.status_changes.last().changed_by_label == "automatic"


def test_staff_choose_who_confirms_bookings_in_the_site_settings(admin_client):
    page = admin_client.get(reverse("admin:clinic_sitesettings_add")).content.decode()
    assert "Appointments are confirmed" in page and "By staff" in page


def test_a_booking_given_in_uk_time_across_the_clocks_going_back_lasts_its_real_length():
    location, (clinician,), appointment_type = make_diary(
        weekdays=(7,), ranges=(("00:00", "03:00"),)
    )
    with time_machine.travel(london(2026, 10, 20, 9, 0), tick=False):
        # 01:45 BST, as the admin's form reads a typed time; 30 minutes later is 01:15 GMT.
        appointment = book(location, clinician, appointment_type, london(2026, 10, 25, 1, 45))
        repeated = book(
            location,
            clinician,
            appointment_type,
            london(2026, 10, 25, 1, 30, fold=1),
            "Grace Hopper",
        )
    assert appointment.ends_at - appointment.starts_at == datetime.timedelta(minutes=30)
    assert appointment.blocks.count() == 6
    assert repeated.starts_at == datetime.datetime(2026, 10, 25, 1, 30, tzinfo=datetime.UTC)


@pytest.fixture
def night_diary():
    """A clinician working through the night, every day."""
    location, (clinician,), appointment_type = make_diary(
        weekdays=EVERY_DAY, ranges=(("00:00", "04:00"),)
    )
    return location, clinician, appointment_type


def wall_clock_move(appointment, day, time, **overrides):
    return {
        "starts_at_0": day,
        "starts_at_1": time,
        "clinician": appointment.clinician_id,
        "location": appointment.location_id,
    } | overrides


@pytest.mark.parametrize(
    ("which", "instant"),
    [
        # In UTC: Python never finds a time in the repeated hour equal to one in another zone.
        ("first", datetime.datetime(2026, 10, 25, 0, 30, tzinfo=datetime.UTC)),  # 01:30 BST
        ("second", datetime.datetime(2026, 10, 25, 1, 30, tzinfo=datetime.UTC)),  # 01:30 GMT
    ],
)
def test_staff_choose_which_repeated_hour_when_the_clocks_go_back(
    admin_client, night_diary, which, instant
):
    with time_machine.travel(london(2026, 10, 20, 9, 0), tick=False):
        appointment = book(*night_diary, london(2026, 10, 24, 2, 0))
        asked = admin_client.post(
            move_url(appointment), wall_clock_move(appointment, "2026-10-25", "01:30")
        )
        assert asked.status_code == 200
        error = asked.context["form"].errors["repeated_hour"][0]
        assert "01:30 happens twice on 25 October 2026" in error
        appointment.refresh_from_db()
        assert appointment.starts_at == london(2026, 10, 24, 2, 0)  # nothing moved yet

        moved = admin_client.post(
            move_url(appointment),
            wall_clock_move(appointment, "2026-10-25", "01:30", repeated_hour=which),
        )
        assert moved.status_code == 302
        appointment.refresh_from_db()
        assert appointment.starts_at == instant


def test_a_time_the_clocks_skip_is_refused_clearly(admin_client, night_diary):
    with time_machine.travel(london(2026, 3, 24, 9, 0), tick=False):
        appointment = book(*night_diary, london(2026, 3, 27, 2, 0))
        response = admin_client.post(
            move_url(appointment), wall_clock_move(appointment, "2026-03-29", "01:30")
        )
        assert (
            "01:30 does not exist on 29 March 2026"
            in response.context["form"].errors["starts_at"][0]
        )
        appointment.refresh_from_db()
        assert appointment.starts_at == london(2026, 3, 27, 2, 0)


def test_a_diary_link_into_the_repeated_hour_comes_with_its_choice_made(admin_client, night_diary):
    with time_machine.travel(london(2026, 10, 20, 9, 0), tick=False):
        appointment = book(*night_diary, london(2026, 10, 24, 2, 0))
        page = admin_client.get(move_url(appointment), {"starts_at": "2026-10-25T01:30:00+00:00"})
        form = page.context["form"]
        assert form["repeated_hour"].value() == "second"  # 01:30 GMT
        assert 'value="01:30:00"' in page.text or 'value="01:30"' in page.text


@pytest.mark.parametrize(
    "starts_at", ["9999-12-31T23:59:00+00:00", "0001-01-01T00:00:00+01:00", "not a time"]
)
def test_a_diary_link_with_a_time_no_diary_shows_fills_nothing_in(admin_client, diary, starts_at):
    appointment = book(*diary, next_week_at(10))
    add = admin_client.get(reverse("admin:booking_appointment_add"), {"starts_at": starts_at})
    move = admin_client.get(move_url(appointment), {"starts_at": starts_at})
    assert add.status_code == move.status_code == 200
    assert add.context["adminform"].form.initial.get("starts_at") is None
    assert "starts_at" not in move.context["form"].initial
