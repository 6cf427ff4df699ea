"""The front desk runs the diary (appointments, time off, closures); content
editors keep the practice's public pages (clinicians, locations, appointment
types) and never see an appointment, which holds patient data."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CRUD = ("add", "change", "delete", "view")

GROUP_PERMISSIONS = {
    "Content editors": {
        "practice": [
            f"{action}_{model}"
            for model in ("clinician", "location", "openinghours", "appointmenttype")
            for action in CRUD
        ],
    },
    # No "delete" for appointments: they are cancelled, keeping their history.
    "Front desk": {
        "booking": [
            "add_appointment",
            "change_appointment",
            "view_appointment",
            *(
                f"{action}_{model}"
                for model in ("weeklyhours", "availabilityexception", "clinicclosure")
                for action in CRUD
            ),
        ],
        "practice": [f"view_{model}" for model in ("clinician", "location", "appointmenttype")],
    },
}


def grant(apps, schema_editor):
    for app_label in ("practice", "booking"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions_by_app in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in permissions_by_app.items():
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions_by_app in GROUP_PERMISSIONS.items():
        for group in Group.objects.filter(name=name):
            for app_label, codenames in permissions_by_app.items():
                group.permissions.remove(
                    *Permission.objects.filter(
                        content_type__app_label=app_label, codename__in=codenames
                    )
                )


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0001_availability_holds_appointments"),
        ("practice", "0001_clinicians_locations_appointment_types"),
        ("consultations", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
