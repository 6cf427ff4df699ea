"""Django's database sessions, read with one plain SQL query and decoded once.

Every step of booking reads the patient's session, and building the lookup
through the ORM cost more than the rest of a week of times served from the
cache (booking/day_page.py). The row is read on the driver's own cursor
(clinic/driver_cursor.py), and each stored session text is decoded (its
signature checked) once per process: a patient's session is read on every
step, and is saved far less often than it is read. Saving, deleting and
clearing expired sessions are Django's.

    SESSION_ENGINE = "clinic.sessions"
"""

import json

from django.conf import settings
from django.contrib.sessions.backends import db
from django.utils import timezone

from clinic import driver_cursor
from clinic.recent import Recent

# Session texts decoded lately, as JSON: each read gets its own copy, so a
# view changing its session never changes another request's.
_decoded = Recent(size=1024)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        row = driver_cursor.fetch_one(
            f"SELECT session_data FROM {model._meta.db_table} "
            "WHERE session_key = %s AND expire_date > %s",
            [self.session_key, driver_cursor.datetime_param(timezone.now())],
        )
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0])

    def decode(self, session_data):
        key = (settings.SECRET_KEY, session_data)
        text = _decoded.get(key)
        if text is None:
            session = super().decode(session_data)
            if not session:  # empty, or a bad signature (logged by Django each time)
                return session
            text = json.dumps(session)
            _decoded.remember(key, text)
        return json.loads(text)
