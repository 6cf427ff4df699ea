"""The "Clinical reviewers" group: staff who may mark a guide's or a
stretch's clinical wording reviewed. They read the content; editing it is
the content editors' job."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CLINICAL_REVIEWERS = "Clinical reviewers"

CONTENT_MODELS = (
    "stretch",
    "step",
    "keyword",
    "stretchkeyword",
    "guide",
    "guidesection",
    "sectionpoint",
    "guidestretch",
)
CODENAMES = ["review_clinical_content", *(f"view_{model}" for model in CONTENT_MODELS)]


def create_group(apps, schema_editor):
    app_config = apps.get_app_config("stretches")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=CLINICAL_REVIEWERS)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="stretches", codename__in=CODENAMES)
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=CLINICAL_REVIEWERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("stretches", "0007_clinical_review_and_history"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
