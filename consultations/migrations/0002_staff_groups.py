"""The two staff groups the clinic works with. Content editors change the
guides and stretches and never see a patient's request; the front desk works
through consultation requests and cannot change the guides."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_EDITORS = "Content editors"
FRONT_DESK = "Front desk"

GROUP_PERMISSIONS = {
    CONTENT_EDITORS: {
        "stretches": [
            f"{action}_{model}"
            for model in (
                "stretch",
                "step",
                "keyword",
                "stretchkeyword",
                "guide",
                "guidesection",
                "sectionpoint",
                "guidestretch",
            )
            for action in ("add", "change", "delete", "view")
        ]
    },
    # No "add": requests come from patients. "delete" is for erasing a
    # patient's data on request.
    FRONT_DESK: {
        "consultations": [
            "view_consultationrequest",
            "change_consultationrequest",
            "delete_consultationrequest",
        ]
    },
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations have run; make
    # sure they exist now so the groups can be given them.
    for app_label in ("stretches", "consultations"):
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


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("stretches", "0002_load_clinic_article"),
        ("consultations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
