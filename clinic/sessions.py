"""Django's database sessions, read with one plain SQL query.

Every step of booking reads the patient's session, and building the lookup
through the ORM cost more than the rest of a week of times served from the
cache (booking/day_page.py). Only the read differs from Django's own store;
saving, deleting and clearing expired sessions are Django's.

    SESSION_ENGINE = "clinic.sessions"
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        connection = connections[router.db_for_read(model)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {model._meta.db_table} "
                "WHERE session_key = %s AND expire_date > %s",
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0])
