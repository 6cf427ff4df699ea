"""Who may open the diary: the front desk runs it (after the second factor);
content editors see none of it, nor any appointment, by any admin URL."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from booking.services import book_appointment
from tests.booking.builders import make_diary
from tests.booking.test_admin import next_week_at
from tests.staff import SECOND_FACTOR, sign_in_with_second_factor, staff_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment():
    location, (clinician,), appointment_type = make_diary(weekdays=(1, 2, 3, 4, 5, 6, 7))
    return book_appointment(
        clinician=clinician,
        location=location,
        appointment_type=appointment_type,
        starts_at=next_week_at(10),
        patient_name="Ada Lovelace",
    )


def booking_admin_urls(appointment):
    """Every admin URL that shows the diary, an appointment or a patient."""
    day = appointment.starts_at.date().isoformat()
    clinician, location = appointment.clinician_id, appointment.location_id
    return [
        reverse("admin:booking_diary_changelist"),
        reverse("admin:booking_diary_changelist") + f"?diary=clinician-{clinician}&day={day}",
        reverse("admin:booking_diary_page", args=["clinician", clinician, "day", day]),
        reverse("admin:booking_diary_page", args=["clinician", clinician, "week", day]),
        reverse("admin:booking_diary_page", args=["location", location, "day", day]),
        reverse("admin:booking_diary_page", args=["location", location, "week", day]),
        reverse("admin:booking_diary_export", args=["clinician", clinician, day]),
        reverse("admin:booking_diary_export", args=["location", location, day]),
        reverse("admin:booking_appointment_move", args=[appointment.pk]),
        reverse("admin:booking_appointment_changelist"),
        reverse("admin:booking_appointment_changelist") + "?_to_field=patient_name",
        reverse("admin:booking_appointment_changelist") + "?_popup=1&_to_field=id",
        reverse("admin:booking_appointment_change", args=[appointment.pk]),
        reverse("admin:booking_appointment_history", args=[appointment.pk]),
        reverse("admin:booking_appointment_add"),
    ]


def test_content_editors_are_refused_every_diary_and_appointment_url(client, appointment):
    client.force_login(staff_in("Content editors"))
    for url in booking_admin_urls(appointment):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Ada" not in response.content.decode()
    # Nor by posting, nor by looking appointments up from another model's form.
    move = reverse("admin:booking_appointment_move", args=[appointment.pk])
    assert client.post(move, {"clinician": appointment.clinician_id}).status_code == 403
    lookup = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "consultations", "model_name": "outboxmessage", "field_name": "appointment"},
    )
    assert lookup.status_code == 403
    assert client.get(reverse("admin:app_list", args=["booking"])).status_code == 404
    index = client.get(reverse("admin:index")).content.decode()
    assert "Diary" not in index and reverse("admin:booking_diary_changelist") not in index


def test_the_front_desk_opens_every_diary_page_after_the_second_factor(client, appointment):
    desk = staff_in("Front desk")
    client.force_login(desk)
    diary = reverse("admin:booking_diary_changelist")
    assert client.get(diary)["Location"].startswith(SECOND_FACTOR)

    sign_in_with_second_factor(client, desk)
    for url in booking_admin_urls(appointment):
        response = client.get(url)
        expected = 302 if "?diary=" in url else 200
        if "_to_field=patient_name" in url:
            expected = 400  # the admin refuses to look appointments up by anything but their id
        assert response.status_code == expected, url
    assert diary in client.get(reverse("admin:index")).content.decode()


def test_anyone_signed_out_is_sent_to_sign_in(client, appointment):
    for url in booking_admin_urls(appointment):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_staff_allowed_only_to_view_appointments_still_need_the_second_factor(client, appointment):
    viewer = User.objects.create_user("viewer", password="x" * 12, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_appointment"))
    client.force_login(viewer)
    response = client.get(reverse("admin:booking_diary_changelist"))
    assert response["Location"].startswith(SECOND_FACTOR)


def test_staff_who_may_view_but_not_change_appointments_cannot_move_one(client, appointment):
    viewer = User.objects.create_user("viewer", password="x" * 12, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_appointment"))
    sign_in_with_second_factor(client, viewer)
    day = appointment.starts_at.date().isoformat()
    page = reverse(
        "admin:booking_diary_page", args=["clinician", appointment.clinician_id, "day", day]
    )
    assert client.get(page).status_code == 200
    move = reverse("admin:booking_appointment_move", args=[appointment.pk])
    assert client.get(move).status_code == 403
