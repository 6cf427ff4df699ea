"""A patient who goes back, changes their answers and sends the same form
again: the latest answers count, for the advice they see and for staff."""

import json
import logging

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core import mail
from django.test import RequestFactory

from consultations.admin import ConsultationRequestAdmin, ConsultationRequestAdminForm
from consultations.models import ConsultationRequest
from consultations.outbox import deliver_due_messages
from consultations.red_flags import Urgency
from tests.factories import consultation_form_data
from tests.staff import sign_in_with_second_factor
from tests.test_patient_data_requests import confirm, offered_rows, run_action

pytestmark = pytest.mark.django_db

FORM_URL = "/consultation/"
THANKS_URL = "/consultation/thanks/"
Status = ConsultationRequest.Status


@pytest.fixture
def first_send(client):
    """A routine request as first sent, and the form data it was sent with."""
    data = consultation_form_data()
    assert client.post(FORM_URL, data)["Location"] == THANKS_URL
    return ConsultationRequest.objects.get(), data


def changed(data, **answers):
    """The same form (same token), with some answers changed."""
    return data | answers


def test_a_double_click_stores_one_request_unchanged_and_shows_the_same_thanks(client, first_send):
    stored, data = first_send
    again = client.post(FORM_URL, data)
    assert again["Location"] == THANKS_URL
    assert ConsultationRequest.objects.get().pk == stored.pk
    assert ConsultationRequest.objects.get().revisions == []


def test_going_back_to_tick_an_emergency_sign_and_change_the_phone_updates_the_request(
    client, first_send
):
    stored, data = first_send
    response = client.post(
        FORM_URL,
        changed(data, phone="07911 123456", emergency_signs=["bladder"]),
        follow=True,
    )
    assert response.redirect_chain == [(THANKS_URL + "?advice=emergency", 302)]
    assert "call 999 now" in response.content.decode()
    updated = ConsultationRequest.objects.get()
    assert updated.pk == stored.pk
    assert updated.phone == "+447911123456"
    assert updated.red_flags == ["bladder"]
    assert updated.urgency == Urgency.EMERGENCY
    [revision] = updated.revisions
    assert revision["changes"] == {
        "phone": {"old": "+442079460958", "new": "+447911123456"},
        "red_flags": {"old": [], "new": ["bladder"]},
    }


def test_each_change_is_recorded_in_turn(client, first_send):
    stored, data = first_send
    client.post(FORM_URL, changed(data, pain_intensity="8"))
    client.post(FORM_URL, changed(data, pain_intensity="3"))
    client.post(FORM_URL, changed(data, pain_intensity="3"))
    stored.refresh_from_db()
    assert stored.pain_intensity == 3
    assert [r["changes"]["pain_intensity"] for r in stored.revisions] == [
        {"old": 6, "new": 8},
        {"old": 8, "new": 3},
    ]


def test_unticking_a_warning_sign_lowers_the_urgency_and_the_advice(client):
    data = consultation_form_data(urgent_signs=["fever"])
    client.post(FORM_URL, data)
    response = client.post(FORM_URL, changed(data, urgent_signs=[]))
    assert response["Location"] == THANKS_URL
    assert ConsultationRequest.objects.get().urgency == Urgency.ROUTINE


@pytest.mark.parametrize(
    "staff_touch",
    [
        {"status": Status.CONTACTED},
        {"staff_notes": "Called, no answer."},
        {"handled_by": "frontdesk"},
    ],
)
def test_once_staff_have_started_a_changed_resend_is_stored_as_a_new_linked_request(
    client, first_send, staff_touch
):
    stored, data = first_send
    if staff_touch.get("handled_by"):
        staff_touch["handled_by"] = User.objects.create_user("frontdesk", is_staff=True)
    ConsultationRequest.objects.filter(pk=stored.pk).update(**staff_touch)

    response = client.post(FORM_URL, changed(data, emergency_signs=["bowel"]))

    assert response["Location"] == THANKS_URL + "?advice=emergency"
    first, resent = ConsultationRequest.objects.order_by("created_at", "pk")
    assert first.pk == stored.pk
    assert (first.red_flags, first.revisions) == ([], [])
    assert resent.resubmission_of == first
    assert (resent.red_flags, resent.urgency) == (["bowel"], Urgency.EMERGENCY)


def test_after_a_linked_request_further_resends_update_it_not_add_more(client, first_send):
    stored, data = first_send
    ConsultationRequest.objects.filter(pk=stored.pk).update(status=Status.CONTACTED)
    client.post(FORM_URL, changed(data, pain_intensity="9"))
    client.post(FORM_URL, changed(data, pain_intensity="9"))
    client.post(FORM_URL, changed(data, pain_intensity="10"))
    assert ConsultationRequest.objects.count() == 2
    resent = ConsultationRequest.objects.get(resubmission_of=stored)
    assert resent.pain_intensity == 10
    assert len(resent.revisions) == 1


def test_saving_reports_whether_the_urgency_went_up(first_send):
    stored, _ = first_send

    def resend(**answers):
        again = ConsultationRequest.objects.get(pk=stored.pk)
        for name, value in answers.items():
            setattr(again, name, value)
        again.pk = None
        return again.save_once()

    raised = resend(red_flags=["fever"])
    assert (raised.created, raised.updated, raised.urgency_raised) == (False, True, True)
    lowered = resend(red_flags=[])
    assert (lowered.updated, lowered.urgency_raised) == (True, False)
    same = resend()
    assert (same.created, same.updated, same.urgency_raised) == (False, False, False)


@pytest.fixture
def staff_recipients(settings):
    settings.CONSULTATION_NOTIFY_EMAILS = ["frontdesk@clinic.example"]


def test_staff_are_told_again_only_when_the_urgency_went_up(client, staff_recipients):
    data = consultation_form_data(email="")
    data["preferred_contact"] = "phone"
    client.post(FORM_URL, data)
    client.post(FORM_URL, changed(data, pain_intensity="9"))
    deliver_due_messages()
    assert len(mail.outbox) == 1
    client.post(FORM_URL, changed(data, urgent_signs=["injury"]))
    deliver_due_messages()
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("Urgent: ")


def test_changed_answers_are_never_logged(client, first_send, caplog):
    _, data = first_send
    with caplog.at_level(logging.DEBUG):
        client.post(FORM_URL, changed(data, phone="07911 123456", description="Numb left foot"))
    assert "7911" not in caplog.text
    assert "Numb left foot" not in caplog.text


@pytest.fixture
def front_desk_client(client):
    user = User.objects.create_user("desk", password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name="Front desk"))
    return sign_in_with_second_factor(client, user)


def change_page(consultation):
    return f"/admin/consultations/consultationrequest/{consultation.pk}/change/"


def test_staff_see_what_the_patient_changed(client, first_send, front_desk_client):
    stored, data = first_send
    client.post(FORM_URL, changed(data, phone="07911 123456", emergency_signs=["bladder"]))
    html = front_desk_client.get(change_page(stored)).content.decode()
    assert "Answers the patient changed" in html
    assert "Phone: “+442079460958” → “+447911123456”" in html
    assert "Warning signs ticked: (none) → “New problems passing urine" in html


def test_staff_see_the_link_between_a_request_and_its_resent_form(
    client, first_send, front_desk_client
):
    stored, data = first_send
    ConsultationRequest.objects.filter(pk=stored.pk).update(status=Status.CONTACTED)
    front_desk_client.post(FORM_URL, changed(data, pain_intensity="9"))
    resent = ConsultationRequest.objects.get(resubmission_of=stored)
    first_page = front_desk_client.get(change_page(stored)).content.decode()
    assert f'Sent again as <a href="{change_page(resent)}">#{resent.pk}</a>' in first_page
    resent_page = front_desk_client.get(change_page(resent)).content.decode()
    assert f'Resent form of <a href="{change_page(stored)}">#{stored.pk}</a>' in resent_page


def test_a_staff_save_keeps_answers_the_patient_resent_meanwhile(client, first_send):
    stored, data = first_send
    # Staff open the request, the patient resends, then staff save what they had open.
    stale = ConsultationRequest.objects.get(pk=stored.pk)
    client.post(FORM_URL, changed(data, pain_intensity="9"))
    staff_save = ConsultationRequestAdminForm(
        {"status": "new", "handled_by": "", "staff_notes": "Will call tomorrow."}, instance=stale
    )
    assert staff_save.is_valid(), staff_save.errors
    request = RequestFactory().post("/")
    request.user = User.objects.create_user("desk", is_staff=True)
    ConsultationRequestAdmin(ConsultationRequest, admin.site).save_model(
        request, staff_save.save(commit=False), staff_save, True
    )
    stored.refresh_from_db()
    assert (stored.pain_intensity, stored.staff_notes) == (9, "Will call tomorrow.")


def test_a_patients_data_export_holds_the_answers_they_changed(client, first_send, admin_client):
    stored, data = first_send
    client.post(FORM_URL, changed(data, pain_intensity="9"))
    response = confirm(admin_client, "export_patient_data", [stored], [stored])
    [exported] = json.loads(response.content)["requests"]
    [change] = exported["Answers the patient changed"]
    assert "Pain intensity (0–10): “6” → “9”" in change


def test_erasing_a_patients_data_offers_a_resent_form_with_new_contact_details(
    client, first_send, admin_client
):
    stored, data = first_send
    ConsultationRequest.objects.filter(pk=stored.pk).update(status=Status.CONTACTED)
    client.post(
        FORM_URL,
        changed(data, email="new-address@example.com", phone="07911 123456"),
    )
    resent = ConsultationRequest.objects.exclude(pk=stored.pk).get()
    preview = offered_rows(run_action(admin_client, "erase_patient_data", [stored]))
    assert set(preview) == {stored.pk, resent.pk}
    assert preview[resent.pk]["link"] == f"resent form of #{stored.pk}"
    confirm(admin_client, "erase_patient_data", [stored], [stored, resent])
    assert not ConsultationRequest.objects.exists()
