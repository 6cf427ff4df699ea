import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = (
        "Write a consistent snapshot of the SQLite database to a file, while the site keeps "
        "taking requests. (For PostgreSQL use pg_dump.)"
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", help="The backup file to write (must not exist).")

    def handle(self, *args, destination, **options):
        if connection.vendor != "sqlite":
            raise CommandError(
                "backup_database copies SQLite databases; for PostgreSQL use pg_dump "
                "(see the README)."
            )
        destination = Path(destination)
        if destination.exists():
            raise CommandError(f"{destination} already exists; choose a new file name.")
        destination.parent.mkdir(parents=True, exist_ok=True)
        # SQLite's online backup API copies a consistent snapshot page by page,
        # WAL contents included; a plain file copy of a WAL database can miss
        # committed transactions or whole tables.
        source = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
        target = sqlite3.connect(destination)
        try:
            with target:
                source.backup(target)
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
            source.close()
        if check != "ok":
            raise CommandError(f"The backup failed its integrity check: {check}")
        self.stdout.write(self.style.SUCCESS(f"Backed up the database to {destination}"))
