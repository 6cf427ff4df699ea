"""One row read on the database driver's own cursor, for the few reads that
run on every request: the content version of a cached page and the session
of a booking step. Django's cursor wrapper costs 10-30 µs a query; here the
errors are still Django's, and mark the connection for Django to check, as
its own cursor's would. The query is not in `connection.queries`."""

from django.db import DEFAULT_DB_ALIAS, connections


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
