"""Whether anything was committed to the SQLite database since a moment ago,
told without a query, for the reads every cached page makes.

In WAL mode SQLite keeps the WAL index in the database's `-shm` file, which
every connection on the machine maps. The index's header changes with every
commit, by any connection in any process: it holds a change counter, the
last frame written and their checksums ("The WAL-Index Header",
https://www.sqlite.org/walformat.html). SQLite writes the header twice,
the second copy first, so two equal copies are a whole header and not one
being written.

Reading the header is one `pread`. A query costs three system calls (a lock
on the index, a look at the file, the unlock) and the statement's own work:
under gunicorn, a cached page took about 35 µs less CPU with the header read
in place of its content-version query (README, Performance).

The `-shm` file is opened only after this process's connection has read the
database. From then until that connection closes, the file cannot go: the
last connection to close a database deletes it, and the next to open one
makes a new file. A file opened before could be one a closing connection was
about to delete, and it would never change again; so the file is tied to the
connection that held it, and opened again with the next connection.
"""

import contextlib
import dataclasses
import itertools
import os
import threading
import weakref
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections

# iVersion .. aCksum: the header's first copy, then its second (walformat.html).
HEADER_BYTES = 48


def commit_marker(database=None):
    """A value equal to one taken earlier only if nothing was committed to
    the database in between; None where that cannot be told this way: not
    SQLite, not in WAL mode, a database in memory, inside a transaction
    (whose writes are not committed yet, but seen by its own connection) or
    while the header is being written."""
    database = database or _default_database()
    if database.vendor != "sqlite":
        return None
    watched = getattr(database, "_wal_index", None)
    if (
        watched is None
        or database.connection is None
        or watched.connection is not database.connection
    ):
        watched = _watch(database)
    if watched.file is None or database.in_atomic_block or not database.autocommit:
        return None
    try:
        header = os.pread(watched.file, 2 * HEADER_BYTES, 0)
    except OSError:
        return None
    if len(header) < 2 * HEADER_BYTES or header[:HEADER_BYTES] != header[HEADER_BYTES:]:
        return None
    # The file's number, not the connection: markers are kept as keys, and
    # would keep closed connections alive.
    return (watched.number, header[:HEADER_BYTES])


_this_thread = threading.local()


def _default_database():
    """This thread's wrapper of the default database. Django keeps one per
    thread for the thread's life; `connections[...]` finds it through
    asgiref's `Local`, which was half of what telling cost."""
    database = getattr(_this_thread, "database", None)
    if database is None:
        database = _this_thread.database = connections[DEFAULT_DB_ALIAS]
    return database


@dataclasses.dataclass(frozen=True, slots=True)
class _Watched:
    connection: object  # the driver's connection that holds the file
    file: int | None  # the open -shm file; None if there is none to read
    number: int  # different for every file opened in this process
    close: Callable | None  # closes the file, once


_numbers = itertools.count()


def _watch(database):
    """Opens the WAL index of `database`'s connection, once the connection
    holds it, and ties the two together on the database wrapper. The file is
    closed when the next one is opened, or when the wrapper goes (with its
    thread, under runserver's thread per request)."""
    stop_watching(database)
    if database.connection is None:
        database.ensure_connection()
    driver_connection = database.connection
    with database.wrap_database_errors:
        # Any read opens the WAL and its index, and holds them until closed.
        driver_connection.execute("PRAGMA data_version").fetchone()
    index_file = None
    name = str(database.settings_dict["NAME"])
    if not database.is_in_memory_db() and not name.startswith("file:"):
        with contextlib.suppress(OSError):  # no such file: not in WAL mode
            index_file = os.open(f"{name}-shm", os.O_RDONLY | os.O_CLOEXEC)
    close = weakref.finalize(database, os.close, index_file) if index_file is not None else None
    database._wal_index = _Watched(driver_connection, index_file, next(_numbers), close)
    return database._wal_index


def stop_watching(database):
    watched = getattr(database, "_wal_index", None)
    database._wal_index = None
    if watched is not None and watched.close is not None:
        watched.close()
