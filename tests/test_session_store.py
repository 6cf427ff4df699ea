"""The site's session store (clinic/sessions.py) reads a session on the
driver's own cursor and decodes each stored text once per process; what a
request gets is still exactly what Django's database sessions give."""

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.test import override_settings

from clinic.sessions import SessionStore

pytestmark = pytest.mark.django_db


def saved_session(**values):
    session = SessionStore()
    session.update(values)
    session.save()
    return session.session_key


def test_a_saved_session_reads_back_as_djangos_own_store_reads_it():
    key = saved_session(booking={"appointment_type": 3, "answers": {"pain": 7}}, step="times")
    ours = dict(SessionStore(key).items())
    assert ours == dict(DjangoSessionStore(key).items())
    assert ours == {"booking": {"appointment_type": 3, "answers": {"pain": 7}}, "step": "times"}
    assert dict(SessionStore(key).items()) == ours  # the second read, from the decoded copy


def test_changing_what_one_request_read_changes_no_other_read():
    key = saved_session(booking={"answers": {"pain": 7}})
    first = SessionStore(key)
    first["booking"]["answers"]["pain"] = 2
    first["booking"]["extra"] = "typed in one tab"
    assert SessionStore(key)["booking"] == {"answers": {"pain": 7}}


def test_a_saved_change_is_read_at_once():
    key = saved_session(step="choose")
    session = SessionStore(key)
    assert session["step"] == "choose"
    session["step"] = "times"
    session.save()
    assert SessionStore(key)["step"] == "times"


def test_an_expired_or_unknown_session_is_empty_and_gets_a_new_key():
    key = saved_session(step="times")
    session = SessionStore(key)
    session.set_expiry(-1)
    session.save()
    expired = SessionStore(key)
    assert dict(expired.items()) == {} and expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert dict(unknown.items()) == {} and unknown.session_key is None


def test_a_session_signed_with_another_secret_is_empty_even_once_decoded():
    key = saved_session(step="times")
    assert SessionStore(key)["step"] == "times"
    with override_settings(SECRET_KEY="another secret " * 4):
        assert dict(SessionStore(key).items()) == {}


def test_a_tampered_session_is_empty(caplog):
    key = saved_session(step="times")
    assert SessionStore(key)["step"] == "times"
    store = SessionStore(key)
    stored = store.model.objects.get(session_key=key)
    stored.session_data = stored.session_data[:-3] + "abc"
    stored.save()
    assert dict(SessionStore(key).items()) == {}
    assert "Session data corrupted" in caplog.text
