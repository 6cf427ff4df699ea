"""One row read on the database driver's own cursor, for the few reads that
run on every request: the content version of a cached page and the session
of a booking step. Django's cursor wrapper costs 10-30 µs a query; here the
errors are still Django's, and mark the connection for Django to check, as
its own cursor's would. The query is not in `connection.queries`.

Parameters go to the driver as they are: a datetime through
`datetime_param`, as Django would have written it."""

import datetime

from django.db import DEFAULT_DB_ALIAS, connections

from clinic import wal_index


def fetch_one(sql, params=()):
    """The first row of `sql` (parameters as `%s`, as Django writes them), or None."""
    database = connections[DEFAULT_DB_ALIAS]  # one lookup of this thread's connection
    if database.connection is None:
        database.ensure_connection()
    if params and database.vendor == "sqlite":
        sql = sql.replace("%s", "?")  # the sqlite3 module's own placeholders
    with database.wrap_database_errors:
        cursor = database.connection.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchone()
        finally:
            cursor.close()


def datetime_param(moment):
    """An aware datetime as Django writes it for the default database, the
    same as `connection.ops.adapt_datetimefield_value`, for a query on the
    driver's cursor (tests/database/test_driver_cursor.py compares them)."""
    database = connections[DEFAULT_DB_ALIAS]
    if database.vendor == "sqlite":
        # Naive, in the connection's zone (UTC unless DATABASES says otherwise).
        return str(moment.astimezone(database.timezone).replace(tzinfo=None))
    return moment


def datetime_from_sqlite(text):
    """An aware datetime from one SQLite holds, as Django reads it."""
    database = connections[DEFAULT_DB_ALIAS]
    return datetime.datetime.fromisoformat(text).replace(tzinfo=database.timezone)


def change_marker():
    """A value equal to one taken earlier only if the default database has
    not changed in between, by any connection or process; None where the
    database cannot tell so cheaply (PostgreSQL).

    On SQLite, the WAL index's header where it tells (clinic/wal_index.py).
    Otherwise (in memory, inside a transaction) `PRAGMA data_version`, which
    changes when another connection commits, and the connection's own count
    of changed rows, which changes when it writes, committed or not. The
    connection itself is part of the marker, as both counts are its own."""
    database = connections[DEFAULT_DB_ALIAS]
    if database.vendor != "sqlite":
        return None
    committed = wal_index.commit_marker(database)
    if committed is not None:
        return committed
    if database.connection is None:
        database.ensure_connection()
    driver_connection = database.connection
    with database.wrap_database_errors:
        (version,) = driver_connection.execute("PRAGMA data_version").fetchone()
    return (driver_connection, version, driver_connection.total_changes)
