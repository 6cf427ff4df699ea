"""Admin log entries written before requests stopped carrying the patient's
name in their string ("Request #16 from <name>") keep only the number."""

from django.db import migrations


def scrub_names(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    content_type = ContentType.objects.filter(
        app_label="consultations", model="consultationrequest"
    ).first()
    if content_type is None:
        return
    for entry in LogEntry.objects.filter(content_type=content_type).only("pk", "object_id"):
        LogEntry.objects.filter(pk=entry.pk).update(object_repr=f"Request #{entry.object_id}")


class Migration(migrations.Migration):
    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("consultations", "0006_front_desk_sees_the_outbox"),
    ]

    operations = [migrations.RunPython(scrub_names, migrations.RunPython.noop)]
