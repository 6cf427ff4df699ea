"""Every look at or change to patients' requests leaves an entry in the audit
trail: who, when, what, which requests. Superusers read it; nobody edits it."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import record
from consultations.models import ConsultationRequest
from tests.factories import make_consultation
from tests.staff import sign_in_with_second_factor, staff_in

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")
TRAIL = reverse("admin:audit_auditentry_changelist")


@pytest.fixture
def front_desk(client):
    user = staff_in("Front desk")
    sign_in_with_second_factor(client, user)
    return client


def only_entry():
    (entry,) = AuditEntry.objects.all()
    return entry


def change_url(consultation):
    return reverse("admin:consultations_consultationrequest_change", args=[consultation.pk])


def test_opening_a_requests_page_is_recorded(front_desk):
    consultation = make_consultation()
    assert front_desk.get(change_url(consultation)).status_code == 200
    entry = only_entry()
    assert (entry.actor, entry.action, entry.numbers) == (
        "front-desk",
        Action.VIEWED,
        [consultation.pk],
    )
    assert timezone.now() - entry.at < datetime.timedelta(minutes=1)


def test_a_page_that_is_not_there_records_nothing(front_desk):
    front_desk.get(reverse("admin:consultations_consultationrequest_change", args=[424242]))
    assert not AuditEntry.objects.exists()


def test_a_csv_export_is_recorded_with_every_request_in_it(front_desk):
    chosen = [make_consultation(), make_consultation()]
    make_consultation()
    front_desk.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [c.pk for c in chosen]}
    )
    entry = only_entry()
    assert entry.action == Action.EXPORTED_CSV
    assert entry.numbers == sorted(c.pk for c in chosen)


def test_a_json_export_is_recorded_but_not_its_preview(front_desk):
    consultation = make_consultation()
    selection = {"action": "export_patient_data", "_selected_action": [consultation.pk]}
    front_desk.post(CHANGELIST, selection)
    assert not AuditEntry.objects.exists()
    front_desk.post(CHANGELIST, selection | {"confirm": "yes", "include": [consultation.pk]})
    entry = only_entry()
    assert (entry.action, entry.numbers) == (Action.EXPORTED_JSON, [consultation.pk])


def test_status_changes_by_list_action_are_recorded(front_desk):
    first, second = make_consultation(), make_consultation()
    front_desk.post(
        CHANGELIST, {"action": "mark_contacted", "_selected_action": [first.pk, second.pk]}
    )
    entry = only_entry()
    assert entry.action == Action.STATUS_CHANGED
    assert entry.numbers == sorted([first.pk, second.pk])
    assert entry.detail == "→ contacted"


def test_status_changes_on_the_requests_page_are_recorded(front_desk):
    consultation = make_consultation()
    front_desk.post(
        change_url(consultation), {"status": "contacted", "handled_by": "", "staff_notes": ""}
    )
    entry = AuditEntry.objects.get(action=Action.STATUS_CHANGED)
    assert (entry.numbers, entry.detail, entry.actor) == (
        [consultation.pk],
        "new → contacted",
        "front-desk",
    )


def test_saving_notes_without_a_status_change_records_no_status_change(front_desk):
    consultation = make_consultation()
    front_desk.post(
        change_url(consultation), {"status": "new", "handled_by": "", "staff_notes": "Rang."}
    )
    assert not AuditEntry.objects.filter(action=Action.STATUS_CHANGED).exists()


def test_erasure_is_recorded(front_desk):
    consultation = make_consultation()
    front_desk.post(
        CHANGELIST,
        {
            "action": "erase_patient_data",
            "_selected_action": [consultation.pk],
            "confirm": "yes",
            "include": [consultation.pk],
        },
    )
    entry = only_entry()
    assert (entry.action, entry.numbers, entry.actor) == (
        Action.ERASED,
        [consultation.pk],
        "front-desk",
    )


def test_the_retention_purge_is_recorded_as_the_system(capsys):
    old = make_consultation()
    ConsultationRequest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400),
        status=ConsultationRequest.Status.CLOSED,
    )
    make_consultation()
    call_command("purge_consultations", "--apply", months=12)
    entry = only_entry()
    assert (entry.action, entry.numbers, entry.actor) == (Action.PURGED, [old.pk], "(system)")


def test_a_dry_run_purge_records_nothing(capsys):
    make_consultation()
    call_command("purge_consultations", months=0)
    assert not AuditEntry.objects.exists()


def test_superusers_read_and_filter_the_trail(admin_client):
    record(action=Action.VIEWED, by=None, request_numbers=[12])
    record(action=Action.ERASED, by=None, request_numbers=[7, 120])
    html = admin_client.get(TRAIL).content.decode()
    assert "#7, #120" in html
    by_action = admin_client.get(TRAIL, {"action__exact": "viewed"}).context["cl"]
    assert [e.numbers for e in by_action.result_list] == [[12]]
    by_request = admin_client.get(TRAIL, {"q": "#12"}).context["cl"]
    assert [e.numbers for e in by_request.result_list] == [[12]]


@pytest.mark.parametrize("search", ["#²", "²12"])
def test_a_search_with_other_digits_is_no_server_error(admin_client, search):
    record(action=Action.VIEWED, by=None, request_numbers=[12])
    response = admin_client.get(TRAIL, {"q": search})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_nobody_can_add_change_or_delete_entries_in_the_admin(admin_client):
    entry = record(action=Action.VIEWED, by=None, request_numbers=[3])
    assert admin_client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    change = reverse("admin:audit_auditentry_change", args=[entry.pk])
    admin_client.post(change, {"actor": "someone else", "detail": "forged"})
    entry.refresh_from_db()
    assert (entry.actor, entry.detail) == ("(system)", "")
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_front_desk_staff_cannot_see_the_trail(front_desk):
    record(action=Action.VIEWED, by=None, request_numbers=[3])
    assert front_desk.get(TRAIL).status_code == 403
    assert "Audit trail" not in front_desk.get(reverse("admin:index")).content.decode()


def test_the_model_refuses_updates_and_deletes():
    entry = record(action=Action.VIEWED, by=None, request_numbers=[3])
    entry.detail = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(detail="changed")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().detail == ""


def test_deleting_through_the_admins_own_pages_is_an_erasure_too(front_desk):
    one, two, three = make_consultation(), make_consultation(), make_consultation()
    front_desk.post(
        reverse("admin:consultations_consultationrequest_delete", args=[one.pk]), {"post": "yes"}
    )
    front_desk.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"},
    )
    assert not ConsultationRequest.objects.exists()
    erased = AuditEntry.objects.filter(action=Action.ERASED)
    assert sorted(n for entry in erased for n in entry.numbers) == sorted(
        [one.pk, two.pk, three.pk]
    )
    assert {e.object_repr for e in LogEntry.objects.all()} == {
        f"Request #{n} (erased)" for n in (one.pk, two.pk, three.pk)
    }
