"""Staff answer a patient's request to see, or to erase, what the clinic holds."""

import json

import pytest
from django.urls import reverse

from consultations.models import ConsultationRequest
from tests.factories import make_consultation

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")


@pytest.fixture
def patient_requests():
    """Three requests from one patient (by email or phone), one from someone else."""
    first = make_consultation(full_name="Ada Lovelace", email="ada@example.com", phone="")
    second = make_consultation(full_name="Ada L.", email="ADA@example.com", phone="+442079460958")
    third = make_consultation(full_name="A. Lovelace", email="", phone="+442079460958")
    other = make_consultation(full_name="Someone Else", email="else@example.com")
    return [first, second, third], other


def run_action(client, action, selected, **extra):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [c.pk for c in selected], **extra}
    )


def test_export_holds_every_request_of_the_patient_and_nobody_elses(admin_client, patient_requests):
    theirs, other = patient_requests
    response = run_action(admin_client, "export_patient_data", [theirs[0]])
    assert response["Content-Disposition"] == 'attachment; filename="patient-data.json"'
    exported = json.loads(response.content)["requests"]
    assert sorted(r["Number"] for r in exported) == sorted(c.pk for c in theirs)
    assert all("Consent wording" in r for r in exported)
    assert other.full_name not in response.content.decode()


def test_erase_asks_for_confirmation_first(admin_client, patient_requests):
    theirs, _ = patient_requests
    response = run_action(admin_client, "erase_patient_data", [theirs[0]])
    assert response.status_code == 200
    assert "permanently deletes <strong>3</strong> requests" in response.content.decode()
    assert ConsultationRequest.objects.count() == 4


def test_erase_deletes_every_request_of_the_patient_only(admin_client, patient_requests):
    theirs, other = patient_requests
    response = run_action(admin_client, "erase_patient_data", [theirs[0]], confirm="yes")
    assert response.status_code == 302
    assert list(ConsultationRequest.objects.all()) == [other]


def test_content_editors_cannot_export_or_erase(client, patient_requests):
    from django.contrib.auth.models import Group, User

    editor = User.objects.create_user("editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Content editors"))
    client.force_login(editor)
    theirs, _ = patient_requests
    assert run_action(client, "export_patient_data", theirs).status_code == 403
    assert run_action(client, "erase_patient_data", theirs, confirm="yes").status_code == 403
    assert ConsultationRequest.objects.count() == 4
