"""The front desk sees the outbox (what was sent about each request, what
failed) and can retry a message or dismiss an alarm."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FRONT_DESK = "Front desk"
CODENAMES = ["view_outboxmessage", "change_outboxmessage"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("consultations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=FRONT_DESK)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="consultations", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=FRONT_DESK):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="consultations", codename__in=CODENAMES
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0005_outbox_and_first_opening"),
        ("consultations", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
