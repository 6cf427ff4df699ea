"""The commit marker (clinic/wal_index.py) tells whether anything was
committed to a SQLite database since it was taken, by any connection in any
process, without a query; and says it cannot tell rather than guess."""

import contextlib
import gc
import os
import sqlite3
import subprocess
import sys
import threading

import pytest
from django.db.utils import ConnectionHandler

from clinic import wal_index

# Lets these tests connect at all; each connects to a file of its own.
pytestmark = pytest.mark.django_db


def database_in(path, journal_mode="WAL"):
    """A Django connection of its own to a SQLite file, set up as the site's."""
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(path),
                "OPTIONS": {"init_command": f"PRAGMA journal_mode={journal_mode};"},
            }
        }
    )
    return handler["default"]


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "site.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE page (id INTEGER PRIMARY KEY, title TEXT)")
        setup.commit()
    database = database_in(path)
    yield database
    wal_index.stop_watching(database)
    database.close()


def commit_elsewhere(database, title="Edited"):
    """A commit by another process, as a second server or the admin makes."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); "
            "db.execute('INSERT INTO page (title) VALUES (?)', (sys.argv[2],)); db.commit()",
            str(database.settings_dict["NAME"]),
            title,
        ],
        check=True,
        timeout=30,
    )


def test_the_marker_holds_while_the_database_is_only_read(database):
    before = wal_index.commit_marker(database)
    assert before is not None
    with database.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM page")
    with contextlib.closing(sqlite3.connect(database.settings_dict["NAME"])) as reader:
        reader.execute("SELECT COUNT(*) FROM page").fetchone()
    assert wal_index.commit_marker(database) == before


def test_a_commit_by_another_process_changes_the_marker(database):
    before = wal_index.commit_marker(database)
    commit_elsewhere(database)
    after = wal_index.commit_marker(database)
    assert after is not None
    assert after != before
    assert wal_index.commit_marker(database) == after


def test_a_commit_on_the_same_connection_changes_the_marker(database):
    before = wal_index.commit_marker(database)
    with database.cursor() as cursor:
        cursor.execute("INSERT INTO page (title) VALUES ('Mine')")
    assert wal_index.commit_marker(database) != before


def test_inside_a_transaction_the_marker_cannot_tell(database):
    """Its own writes, seen by its own connection, are not committed yet."""
    before = wal_index.commit_marker(database)
    database.set_autocommit(False)
    with database.cursor() as cursor:
        cursor.execute("INSERT INTO page (title) VALUES ('Draft')")
    assert wal_index.commit_marker(database) is None
    database.commit()
    database.set_autocommit(True)
    assert wal_index.commit_marker(database) not in {None, before}


def test_the_index_of_a_closed_connection_is_never_read_again(database):
    """When the last connection closes, SQLite deletes the index; the next
    one makes a new file. A marker read from the old file would never change."""
    first = wal_index.commit_marker(database)
    database.close()
    name = database.settings_dict["NAME"]
    with contextlib.closing(sqlite3.connect(name)) as other:
        other.execute("SELECT COUNT(*) FROM page").fetchone()  # a new index file
        with database.cursor() as cursor:  # reconnected by a page's other query
            cursor.execute("SELECT COUNT(*) FROM page")
        reopened = wal_index.commit_marker(database)
        assert reopened is not None
        assert reopened != first  # another connection: never taken as the same
        other.execute("INSERT INTO page (title) VALUES ('After')")
        other.commit()
        assert wal_index.commit_marker(database) != reopened


def open_index_files(database):
    index = f"{database.settings_dict['NAME']}-shm"
    targets = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(FileNotFoundError):  # the listing's own, closed by now
            targets.append(os.readlink(f"/proc/self/fd/{fd}"))
    # A file SQLite deleted since (the last connection closed) reads "… (deleted)".
    return sum(1 for target in targets if target.startswith(index))


def test_a_thread_that_ends_leaves_no_index_file_open(tmp_path):
    """runserver answers each request on a thread of its own, with Django's
    connections of that thread."""
    path = tmp_path / "site.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": path}})

    def request():
        assert wal_index.commit_marker(handler["default"]) is not None

    for _ in range(20):
        thread = threading.Thread(target=request)
        thread.start()
        thread.join()
    gc.collect()
    assert open_index_files(handler["default"]) == 0


def test_a_new_connection_closes_the_file_the_last_one_opened(database):
    wal_index.commit_marker(database)
    open_at_first = open_index_files(database)  # SQLite's own, and the marker's
    for _ in range(5):
        database.close()
        wal_index.commit_marker(database)
    assert open_index_files(database) == open_at_first


def test_a_database_in_memory_cannot_tell(tmp_path):
    database = database_in(":memory:")
    try:
        assert wal_index.commit_marker(database) is None
    finally:
        database.close()


def test_a_database_not_in_wal_mode_cannot_tell(tmp_path):
    path = tmp_path / "rollback-journal.sqlite3"
    database = database_in(path, journal_mode="DELETE")
    try:
        assert wal_index.commit_marker(database) is None
    finally:
        wal_index.stop_watching(database)
        database.close()
