"""Reads on the database driver's own cursor (clinic/driver_cursor.py) see
what Django's would, and the change marker tells when the database changed."""

import datetime
import zoneinfo

import pytest
from django.contrib.sessions.models import Session
from django.db import connection

from clinic import driver_cursor
from clinic.models import ContentVersion

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 7, 1, 9, 30, 5, 123456, tzinfo=LONDON),
        datetime.datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON),
    ],
)
def test_a_datetime_is_written_as_django_writes_it(moment):
    assert driver_cursor.datetime_param(moment) == connection.ops.adapt_datetimefield_value(moment)


def test_a_datetime_written_by_the_driver_finds_the_row_django_stored():
    expires = datetime.datetime(2026, 7, 1, 9, 30, 5, 123456, tzinfo=LONDON)
    Session.objects.create(session_key="a" * 32, session_data="", expire_date=expires)
    row = driver_cursor.fetch_one(
        f"SELECT session_key FROM {Session._meta.db_table} WHERE expire_date = %s",
        [driver_cursor.datetime_param(expires)],
    )
    assert row == ("a" * 32,)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite tells; PostgreSQL does not")
def test_the_change_marker_stays_the_same_until_the_database_changes():
    before = driver_cursor.change_marker()
    driver_cursor.fetch_one(f"SELECT COUNT(*) FROM {ContentVersion._meta.db_table}")
    assert driver_cursor.change_marker() == before
    ContentVersion.objects.create()
    after = driver_cursor.change_marker()
    assert after != before
    assert driver_cursor.change_marker() == after


@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL cannot tell cheaply")
def test_without_a_change_marker_every_read_goes_to_the_database():
    assert driver_cursor.change_marker() is None
