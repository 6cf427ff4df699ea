"""Signs to "discuss with a doctor soon" (red-flags.md): a level between
routine and urgent. The patient sees no alarm; staff see the request flagged,
above routine ones and below urgent ones."""

import pytest
from django.core import mail

from consultations import red_flags
from consultations.models import ConsultationRequest
from consultations.outbox import deliver_due_messages
from consultations.red_flags import Urgency
from tests.factories import consultation_form_data, make_consultation

FORM_URL = "/consultation/"
THANKS_URL = "/consultation/thanks/"


def test_the_levels_rise_from_routine_to_emergency():
    assert [level.value for level in Urgency] == [0, 1, 2, 3]
    assert Urgency.ROUTINE < Urgency.DISCUSS_SOON < Urgency.URGENT < Urgency.EMERGENCY


def test_discuss_soon_signs_have_codes_of_their_own():
    groups = [red_flags.EMERGENCY_SIGNS, red_flags.URGENT_SIGNS, red_flags.DISCUSS_SOON_SIGNS]
    codes = [code for group in groups for code in group]
    assert len(codes) == len(set(codes)) == 14
    assert set(red_flags.DISCUSS_SOON_SIGNS) == {
        "weak_immunity",
        "fragile_bones",
        "onset_age",
        "upper_back",
    }


@pytest.mark.parametrize(
    ("codes", "urgency"),
    [
        (["upper_back"], Urgency.DISCUSS_SOON),
        (["onset_age", "weak_immunity"], Urgency.DISCUSS_SOON),
        (["upper_back", "fever"], Urgency.URGENT),
        (["fragile_bones", "bladder"], Urgency.EMERGENCY),
        (["fragile_bones", "injury", "both_legs"], Urgency.EMERGENCY),
    ],
)
def test_urgency_is_the_highest_level_ticked(codes, urgency):
    assert red_flags.urgency_of(codes) == urgency


@pytest.mark.parametrize(
    ("urgency", "urgent"),
    [
        (Urgency.ROUTINE, False),
        (Urgency.DISCUSS_SOON, False),
        (Urgency.URGENT, True),
        (Urgency.EMERGENCY, True),
    ],
)
def test_only_urgent_and_emergency_requests_count_as_urgent(urgency, urgent):
    assert ConsultationRequest(urgency=urgency).is_urgent is urgent


@pytest.mark.django_db
def test_the_form_asks_the_four_signs_after_the_urgent_group(client):
    html = client.get(FORM_URL).content.decode()
    assert html.index('name="urgent_signs"') < html.index('name="discuss_soon_signs"')
    assert html.index('name="discuss_soon_signs"') < html.index('name="full_name"')
    for code in red_flags.DISCUSS_SOON_SIGNS:
        assert f'name="discuss_soon_signs" value="{code}"' in html
    assert "between your shoulder blades" in html


@pytest.mark.django_db
def test_a_discuss_soon_answer_is_stored_flagged_and_told_without_alarm(client):
    response = client.post(
        FORM_URL, consultation_form_data(discuss_soon_signs=["fragile_bones"]), follow=True
    )
    assert response.redirect_chain == [(THANKS_URL + "?advice=discuss", 302)]
    html = response.content.decode()
    assert "A clinician will look at your answers first" in html
    assert 'role="alert"' not in html
    assert "alert-danger" not in html and "alert-warning" not in html
    stored = ConsultationRequest.objects.get()
    assert stored.urgency == Urgency.DISCUSS_SOON
    assert stored.red_flags == ["fragile_bones"]


@pytest.mark.django_db
def test_ticked_signs_of_every_group_are_all_stored(client):
    client.post(
        FORM_URL,
        consultation_form_data(
            emergency_signs=["bowel"], urgent_signs=["cancer"], discuss_soon_signs=["onset_age"]
        ),
    )
    stored = ConsultationRequest.objects.get()
    assert stored.red_flags == ["bowel", "cancer", "onset_age"]
    assert stored.urgency == Urgency.EMERGENCY


@pytest.mark.django_db
def test_staff_email_names_discuss_soon_without_marking_it_urgent(client, settings):
    settings.CONSULTATION_NOTIFY_EMAILS = ["frontdesk@clinic.example"]
    client.post(FORM_URL, consultation_form_data(discuss_soon_signs=["upper_back"]))
    deliver_due_messages()
    staff_email = mail.outbox[0]
    assert staff_email.subject.startswith("Discuss soon: ")
    assert "URGENT" not in staff_email.subject + staff_email.body


@pytest.mark.django_db
def test_staff_see_discuss_soon_requests_flagged_between_urgent_and_routine(admin_client):
    routine = make_consultation(full_name="Routine Patient")
    discuss = make_consultation(full_name="Discuss Patient", red_flags=["weak_immunity"])
    urgent = make_consultation(full_name="Urgent Patient", red_flags=["injury"])
    newer_routine = make_consultation(full_name="Newer Routine Patient")
    response = admin_client.get("/admin/consultations/consultationrequest/")
    assert list(response.context["cl"].result_list) == [urgent, discuss, newer_routine, routine]
    html = response.content.decode()
    assert (
        '<strong class="urgency urgency-discuss">Discuss soon: a clinician should read it first'
        in html
    )
    assert '<strong class="urgency urgency-urgent">' in html


@pytest.mark.django_db
def test_staff_see_the_discuss_soon_questions_on_the_request(admin_client):
    request = make_consultation(red_flags=["onset_age"])
    html = admin_client.get(request.get_absolute_url()).content.decode()
    assert red_flags.DISCUSS_SOON_SIGNS["onset_age"] in html


@pytest.mark.django_db
def test_staff_can_filter_by_the_discuss_soon_level(admin_client):
    make_consultation(full_name="Routine Patient")
    discuss = make_consultation(full_name="Discuss Patient", red_flags=["upper_back"])
    response = admin_client.get(
        "/admin/consultations/consultationrequest/", {"urgency__exact": Urgency.DISCUSS_SOON}
    )
    assert list(response.context["cl"].result_list) == [discuss]
