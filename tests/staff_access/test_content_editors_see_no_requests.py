"""Content editors never learn anything about consultation requests: not
through the requests' own pages, nor through filters on the stretch list, the
admin's redirects, its log or the audit trail."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from audit.models import AuditEntry
from audit.services import record
from consultations.models import ConsultationRequest
from tests.factories import make_consultation, make_stretch
from tests.staff import staff_in

pytestmark = pytest.mark.django_db

STRETCHES = reverse("admin:stretches_stretch_changelist")


@pytest.fixture
def editor(client):
    client.force_login(staff_in("Content editors"))
    return client


@pytest.fixture
def asked_about():
    """A stretch a patient came from, and the patient's request."""
    stretch = make_stretch(title="Asked about")
    make_stretch(title="Never asked about")
    consultation = make_consultation(full_name="Grace Hopper", source_stretch=stretch)
    return stretch, consultation


@pytest.mark.parametrize(
    "lookup",
    [
        "consultation_requests__isnull=False",
        "consultation_requests__isnull=True",
        "consultation_requests={pk}",
        "consultation_requests__id={pk}",
        "consultation_requests__pk__gte=1",
        "consultation_requests__in={pk}",
        "consultation_requests__full_name__startswith=G",
        "consultation_requests__email__contains=example",
        "keywords__stretches__consultation_requests__isnull=False",
    ],
)
def test_stretch_list_refuses_filters_through_requests(editor, asked_about, lookup):
    _, consultation = asked_about
    response = editor.get(f"{STRETCHES}?{lookup.format(pk=consultation.pk)}")
    assert response.status_code == 400
    assert "Asked about" not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        reverse("admin:stretches_keyword_changelist")
        + "?stretches__consultation_requests__isnull=False",
        reverse("admin:stretches_guide_changelist")
        + "?stretches__consultation_requests__isnull=False",
        STRETCHES + "?_to_field=consultation_requests",
        reverse("admin:stretches_keyword_changelist") + "?_to_field=stretches",
        reverse("admin:stretches_guide_changelist") + "?_to_field=sections",
    ],
)
def test_other_lists_refuse_filters_and_fields_through_relations(editor, asked_about, path):
    assert editor.get(path).status_code == 400


def test_the_stretch_list_still_filters_as_editors_need(editor, asked_about):
    response = editor.get(STRETCHES, {"published__exact": "1"})
    assert response.status_code == 200


def test_the_view_on_site_redirect_does_not_tell_which_requests_exist(editor, asked_about):
    _, consultation = asked_about
    content_type = ContentType.objects.get_for_model(ConsultationRequest)
    existing = reverse("admin:view_on_site", args=[content_type.pk, consultation.pk])
    missing = reverse("admin:view_on_site", args=[content_type.pk, consultation.pk + 1000])
    assert editor.get(existing).status_code == 404
    assert editor.get(missing).status_code == 404


def test_the_view_on_site_redirect_still_works_for_content_editors_own_pages(editor, asked_about):
    stretch, _ = asked_about
    content_type = ContentType.objects.get_for_model(stretch)
    response = editor.get(reverse("admin:view_on_site", args=[content_type.pk, stretch.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith(stretch.get_absolute_url())


@pytest.mark.parametrize(
    "name",
    [
        "admin:consultations_consultationrequest_changelist",
        "admin:consultations_consultationrequest_change",
        "admin:consultations_consultationrequest_history",
        "admin:consultations_consultationrequest_delete",
        "admin:audit_auditentry_changelist",
    ],
)
def test_request_pages_and_the_audit_trail_are_forbidden(editor, asked_about, name):
    _, consultation = asked_about
    args = [] if name.endswith("changelist") else [consultation.pk]
    response = editor.get(reverse(name, args=args))
    assert response.status_code == 403
    assert "Grace Hopper" not in response.content.decode()


def test_autocomplete_gives_no_request_data(editor, asked_about):
    response = editor.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "consultations",
            "model_name": "consultationrequest",
            "field_name": "source_stretch",
            "term": "",
        },
    )
    assert "Grace Hopper" not in response.content.decode()
    assert "example.com" not in response.content.decode()


def test_the_admin_home_and_stretch_history_name_no_patient(editor, asked_about, admin_user):
    stretch, consultation = asked_about
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(ConsultationRequest),
        object_id=str(consultation.pk),
        object_repr=str(consultation),
        action_flag=CHANGE,
    )
    record(action=AuditEntry.Action.VIEWED, by=admin_user, request_numbers=[consultation.pk])
    for path in [
        reverse("admin:index"),
        reverse("admin:stretches_stretch_history", args=[stretch.pk]),
    ]:
        html = editor.get(path).content.decode()
        assert "Grace Hopper" not in html
        assert f"Request #{consultation.pk}" not in html
