"""The worker's queue tables (Huey's PostgreSQL storage) in the site's
PostgreSQL database, so that `migrate` is all a deployment needs. SQLite keeps
the queue in a file of its own, which Huey creates."""

from django.db import migrations
from huey.storage import PostgresStorage


def create_queue_tables(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in PostgresStorage(name="clinic", create_tables=False).ddl:
        schema_editor.execute(statement)


def drop_queue_tables(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in ("huey_kv", "huey_schedule", "huey_task", "huey_counter"):
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [("clinic", "0004_worker_heartbeat")]

    operations = [migrations.RunPython(create_queue_tables, drop_queue_tables)]
