"""The front desk sees the waitlist and each appointment's reminders, and may
take a patient off the list; content editors see neither (they hold patient
data)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FRONT_DESK = [
    "view_waitlistentry",
    "change_waitlistentry",
    "delete_waitlistentry",
    "view_reminder",
]


def _permissions(apps):
    app_config = apps.get_app_config("booking")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="booking", codename__in=FRONT_DESK)


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name="Front desk")
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Front desk"):
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0005_reminders_and_waitlist"),
        ("booking", "0002_staff_group_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
