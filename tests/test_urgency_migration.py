"""The "discuss soon" level takes value 1: stored urgent requests move from 1
to 2 and emergencies from 2 to 3, and the migration can be undone."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("consultations", "0002_staff_groups")
AFTER = ("consultations", "0003_discuss_soon_urgency_level")


def migrate_to(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


def store_requests(apps, urgencies):
    ConsultationRequest = apps.get_model("consultations", "ConsultationRequest")
    ids = {}
    for name, urgency in urgencies.items():
        ids[name] = ConsultationRequest.objects.create(
            full_name=name,
            preferred_contact="email",
            pain_duration_weeks=6,
            pain_intensity=5,
            description="Back pain.",
            consent_version="2026-11",
            consent_text="I agree.",
            consent_given_at="2026-11-01T10:00:00Z",
            consent_page="/consultation/",
            urgency=urgency,
        ).pk
    return ids


def urgencies(apps):
    ConsultationRequest = apps.get_model("consultations", "ConsultationRequest")
    return dict(ConsultationRequest.objects.values_list("full_name", "urgency"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_stored_levels_move_up_to_make_room_for_discuss_soon_and_back():
    try:
        old_apps = migrate_to(BEFORE)
        store_requests(old_apps, {"routine": 0, "urgent": 1, "emergency": 2})

        new_apps = migrate_to(AFTER)
        assert urgencies(new_apps) == {"routine": 0, "urgent": 2, "emergency": 3}

        store_requests(new_apps, {"discuss": 1})
        old_apps = migrate_to(BEFORE)
        assert urgencies(old_apps) == {
            "routine": 0,
            "discuss": 0,
            "urgent": 1,
            "emergency": 2,
        }
    finally:
        call_command("migrate", verbosity=0)
