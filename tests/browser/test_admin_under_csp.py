"""Staff pages work under the site's self-only content security policy: the
admin's scripts and styles load from the site, nothing is blocked."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from consultations.models import ConsultationRequest
from stretches.models import Guide, Stretch
from tests.factories import make_consultation
from tests.staff import sign_in_in_browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def viewport():
    return "desktop"


def test_admin_pages_run_without_a_single_csp_violation(page, live_server, django_user_model):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    django_user_model.objects.create_superuser("staff", "staff@example.com", "a-long-password-1")
    consultation = make_consultation(full_name="Grace Hopper", red_flags=["fever"])

    # A first sign-in: the authenticator app is enrolled from the page's QR code and key.
    sign_in_in_browser(page, live_server.url, "staff", "a-long-password-1")

    cobra = Stretch.objects.get(slug="cobra-stretch")
    for path in [
        reverse("admin:index"),
        reverse("admin:stretches_stretch_changelist"),
        reverse("admin:stretches_stretch_change", args=[cobra.pk]),
        reverse("admin:stretches_stretch_add"),
        reverse("admin:stretches_guide_change", args=[Guide.objects.homepage().pk]),
        reverse("admin:consultations_consultationrequest_changelist"),
        reverse("admin:consultations_consultationrequest_change", args=[consultation.pk]),
        reverse("admin:clinic_sitesettings_changelist"),
        reverse("admin:audit_auditentry_changelist"),
        reverse("admin:patient_data_patientdatasearch_changelist"),
    ]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")

    # The admin's own scripts still work: the slug fills itself in from the title.
    page.goto(live_server.url + reverse("admin:stretches_stretch_add"))
    page.locator("#id_title").press_sequentially("Side Bend")
    assert page.input_value("#id_slug") == "side-bend"
    assert violations == []
    assert ConsultationRequest.objects.count() == 1


def test_staff_find_and_export_a_patients_data(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("staff", "staff@example.com", "a-long-password-1")
    mine = make_consultation(full_name="Grace Hopper", email="grace@example.com")
    make_consultation(full_name="Someone Else", email="else@example.com")
    sign_in_in_browser(page, live_server.url, "staff", "a-long-password-1")

    page.goto(live_server.url + reverse("admin:patient_data_patientdatasearch_changelist"))
    page.get_by_label("Email address").fill("GRACE@example.com")
    page.get_by_role("button", name="Find records").click()
    page.get_by_label(f"Request #{mine.pk}").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export the ticked records (JSON)").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert [r["Full name"] for r in exported["requests"]] == ["Grace Hopper"]
    assert page.get_by_label("Email address").input_value() == "GRACE@example.com"
