"""Front-desk staff work through requests in the admin; content editors
never see one."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import ConsultationRequest
from consultations.red_flags import Urgency
from tests.factories import make_consultation
from tests.staff import sign_in_with_second_factor, staff_in

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")


@pytest.fixture
def front_desk_client(client):
    return sign_in_with_second_factor(client, staff_in("Front desk"))


@pytest.fixture
def editor_client(client):
    client.force_login(staff_in("Content editors"))
    return client


def change_url(consultation):
    return reverse("admin:consultations_consultationrequest_change", args=[consultation.pk])


def test_list_shows_name_contact_status_and_age(front_desk_client):
    make_consultation(full_name="Grace Hopper", email="grace@example.com", phone="+442079460958")
    html = front_desk_client.get(CHANGELIST).content.decode()
    for text in ["Grace Hopper", "grace@example.com", "+442079460958", "Email", "New"]:
        assert text in html
    assert "0\xa0minutes" in html or "0 minutes" in html


def test_urgent_requests_stand_out_and_sort_first(front_desk_client):
    routine = make_consultation(full_name="Routine Patient")
    emergency = make_consultation(full_name="Emergency Patient", red_flags=["bowel"])
    newest = make_consultation(full_name="Newest Routine")
    response = front_desk_client.get(CHANGELIST)
    shown = list(response.context["cl"].result_list)
    assert shown == [emergency, newest, routine]
    assert 'class="urgency urgency-emergency"' in response.content.decode()
    assert emergency.urgency == Urgency.EMERGENCY


def test_finished_requests_sort_below_open_ones_by_default(front_desk_client, admin_user):
    closed_emergency = make_consultation(full_name="Closed Emergency", red_flags=["bowel"])
    declined_urgent = make_consultation(full_name="Declined Urgent", red_flags=["fever"])
    open_routine = make_consultation(full_name="Open Routine")
    scheduled_urgent = make_consultation(full_name="Scheduled Urgent", red_flags=["injury"])
    for request, moves in [
        (closed_emergency, [Status.CONTACTED, Status.CLOSED]),
        (declined_urgent, [Status.DECLINED]),
        (scheduled_urgent, [Status.CONTACTED, Status.SCHEDULED]),
    ]:
        for status in moves:
            request.move_to(status, by=admin_user)
    shown = list(front_desk_client.get(CHANGELIST).context["cl"].result_list)
    assert shown == [scheduled_urgent, open_routine, closed_emergency, declined_urgent]


def test_staff_can_still_sort_by_a_column(front_desk_client, admin_user):
    closed = make_consultation(full_name="Alan Closed", red_flags=["bowel"])
    closed.move_to(Status.DECLINED, by=admin_user)
    zoe = make_consultation(full_name="Zoe Open", red_flags=["fever"])
    bea = make_consultation(full_name="Bea Open")
    by_name = front_desk_client.get(CHANGELIST, {"o": "2"})  # the name column
    assert list(by_name.context["cl"].result_list) == [closed, bea, zoe]
    by_urgency = front_desk_client.get(CHANGELIST, {"o": "1"})  # the urgency column
    assert list(by_urgency.context["cl"].result_list) == [closed, zoe, bea]


def test_list_filters_by_status_and_date(front_desk_client, admin_user):
    new = make_consultation()
    contacted = make_consultation()
    contacted.move_to(Status.CONTACTED, by=admin_user)
    old = make_consultation()
    ConsultationRequest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    by_status = front_desk_client.get(CHANGELIST, {"status__exact": "contacted"})
    assert list(by_status.context["cl"].result_list) == [contacted]
    today = timezone.localdate()
    by_day = front_desk_client.get(
        CHANGELIST,
        {
            "created_at__year": today.year,
            "created_at__month": today.month,
            "created_at__day": today.day,
        },
    )
    assert set(by_day.context["cl"].result_list) == {new, contacted}
    # The "Past 7 days" choice of the list's date filter, as staff click it.
    changelist = front_desk_client.get(CHANGELIST).context["cl"]
    date_filter = next(f for f in changelist.filter_specs if f.title == "created at")
    past_week = next(c for c in date_filter.choices(changelist) if c["display"] == "Past 7 days")
    shown = front_desk_client.get(CHANGELIST + past_week["query_string"]).context["cl"]
    assert set(shown.result_list) == {new, contacted}


@pytest.mark.parametrize("term", ["Hopper", "grace@example", "020 7946 0958", "+442079460958"])
def test_search_finds_by_name_email_or_phone_however_typed(front_desk_client, term):
    wanted = make_consultation(
        full_name="Grace Hopper", email="grace@example.com", phone="+442079460958"
    )
    make_consultation(full_name="Someone Else", email="else@example.com", phone="+447911123456")
    response = front_desk_client.get(CHANGELIST, {"q": term})
    assert list(response.context["cl"].result_list) == [wanted]


def test_actions_move_requests_along_the_workflow(front_desk_client):
    consultation = make_consultation()
    for action, status in [
        ("mark_contacted", Status.CONTACTED),
        ("mark_scheduled", Status.SCHEDULED),
        ("mark_closed", Status.CLOSED),
    ]:
        front_desk_client.post(
            CHANGELIST, {"action": action, "_selected_action": [consultation.pk]}
        )
        consultation.refresh_from_db()
        assert consultation.status == status
    assert consultation.handled_by.username == "front-desk"
    assert consultation.contacted_at <= consultation.closed_at


def test_an_action_that_does_not_fit_skips_the_request_and_says_so(front_desk_client):
    consultation = make_consultation()
    response = front_desk_client.post(
        CHANGELIST, {"action": "mark_closed", "_selected_action": [consultation.pk]}, follow=True
    )
    consultation.refresh_from_db()
    assert consultation.status == Status.NEW
    assert "Not moved" in response.content.decode()


def test_staff_add_notes_and_change_status_on_the_request(front_desk_client):
    consultation = make_consultation()
    response = front_desk_client.post(
        change_url(consultation),
        {"status": "contacted", "handled_by": "", "staff_notes": "Left a voicemail."},
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Status.CONTACTED
    assert consultation.staff_notes == "Left a voicemail."
    assert consultation.contacted_at is not None
    assert consultation.handled_by.username == "front-desk"


def test_a_skipped_step_in_the_change_form_is_refused_clearly(front_desk_client):
    consultation = make_consultation()
    response = front_desk_client.post(
        change_url(consultation), {"status": "scheduled", "handled_by": "", "staff_notes": "x"}
    )
    assert response.status_code == 200
    assert "A new request can only become: contacted, declined." in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.status == Status.NEW
    assert consultation.staff_notes == ""


def test_what_the_patient_sent_cannot_be_edited(front_desk_client):
    consultation = make_consultation(full_name="Grace Hopper")
    front_desk_client.post(
        change_url(consultation),
        {"status": "new", "handled_by": "", "staff_notes": "", "full_name": "Changed"},
    )
    consultation.refresh_from_db()
    assert consultation.full_name == "Grace Hopper"


def test_possible_duplicates_are_flagged_and_linked(front_desk_client):
    first = make_consultation(email="same@example.com")
    second = make_consultation(email="SAME@example.com")
    assert second.possible_duplicate
    html = front_desk_client.get(change_url(second)).content.decode()
    assert change_url(first) in html
    flagged = front_desk_client.get(CHANGELIST, {"possible_duplicate__exact": "1"})
    assert list(flagged.context["cl"].result_list) == [second]


def export(client, consultations):
    response = client.post(
        CHANGELIST,
        {"action": "export_csv", "_selected_action": [c.pk for c in consultations]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_csv_export_holds_the_selected_requests(front_desk_client):
    chosen = make_consultation(full_name="Grace Hopper", red_flags=["fever"])
    make_consultation(full_name="Not Chosen")
    (row,) = export(front_desk_client, [chosen])
    assert row["Full name"] == "Grace Hopper"
    assert row["Urgency"] == "Urgent: same-day care advised"
    assert "high temperature" in row["Warning signs"]


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)"])
def test_csv_export_neutralises_formulas(front_desk_client, dangerous):
    consultation = make_consultation(full_name=dangerous, description=dangerous)
    (row,) = export(front_desk_client, [consultation])
    assert row["Full name"] == "'" + dangerous
    assert row["Description"] == "'" + dangerous


def test_content_editor_gets_403_on_every_lead_page(editor_client):
    consultation = make_consultation()
    assert editor_client.get(CHANGELIST).status_code == 403
    assert editor_client.get(change_url(consultation)).status_code == 403
    index = editor_client.get(reverse("admin:index")).content.decode()
    assert "Consultation requests" not in index
    assert "Stretches" in index


def test_content_editor_can_edit_the_guides(editor_client):
    assert editor_client.get(reverse("admin:stretches_stretch_changelist")).status_code == 200
    assert editor_client.get(reverse("admin:stretches_guide_changelist")).status_code == 200


def test_front_desk_cannot_change_the_guides(front_desk_client):
    assert front_desk_client.get(reverse("admin:stretches_stretch_changelist")).status_code == 403


def test_nobody_adds_requests_in_the_admin(admin_client):
    url = reverse("admin:consultations_consultationrequest_add")
    assert admin_client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client):
    consultation = make_consultation()
    for url in [CHANGELIST, change_url(consultation)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
