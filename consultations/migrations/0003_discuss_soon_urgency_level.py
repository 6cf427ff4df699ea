"""A "discuss soon" level between routine and urgent: stored urgent requests
move from 1 to 2 and emergencies from 2 to 3.

Each step moves the highest level first, so that no request is moved twice.
Going back, "discuss soon" requests become routine (the level did not exist).
"""

from django.db import migrations, models

# (old value, new value), in the order they must be applied.
FORWARD = [(2, 3), (1, 2)]
BACKWARD = [(1, 0), (2, 1), (3, 2)]


def renumber(steps):
    def run(apps, schema_editor):
        ConsultationRequest = apps.get_model("consultations", "ConsultationRequest")
        for old, new in steps:
            ConsultationRequest.objects.filter(urgency=old).update(urgency=new)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0002_staff_groups"),
    ]

    operations = [
        migrations.AlterField(
            model_name="consultationrequest",
            name="urgency",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (0, "Routine"),
                    (1, "Discuss soon: a clinician should read it first"),
                    (2, "Urgent: same-day care advised"),
                    (3, "Emergency: advised to seek emergency care now"),
                ],
                db_index=True,
                default=0,
            ),
        ),
        migrations.RunPython(renumber(FORWARD), renumber(BACKWARD)),
    ]
