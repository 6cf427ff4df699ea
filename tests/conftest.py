import os

import pytest
from django.core.cache import cache
from django.core.signals import request_started
from huey.contrib.djhuey import HUEY
from huey.storage import MemoryStorage


@pytest.fixture(autouse=True)
def media_root_in_tmp(settings, tmp_path):
    """Uploads made by tests land in a temporary folder, never in media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Test users need no slow, secure hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: no rate-limit counts, no cached
    pages and no site settings from another test (the database is rolled back
    between tests, so a content version can come back with other content).
    The copies each process keeps by content version go too."""
    forget_everything_cached()
    yield
    forget_everything_cached()


def forget_everything_cached():
    from clinic import filled_pages_wsgi, recent

    cache.clear()
    recent.forget_everything()
    # And which pages Django has answered: each test starts with Django answering.
    filled_pages_wsgi.forget_routes()


@pytest.fixture
def wsgi_site():
    """The application clinic/wsgi.py serves, with this test's settings
    (tests/wsgi_calls.py)."""
    from tests import wsgi_calls

    return wsgi_calls.site()


@pytest.fixture(autouse=True, scope="session")
def task_queue_in_memory():
    """Tasks queued by the code under test wait in memory and never run: a
    test sends the outbox itself, and nothing reaches the development queue."""
    HUEY.storage = MemoryStorage(HUEY.name)


@pytest.fixture
def admin_client(client, admin_user):
    """A superuser signed in to the admin with password and second factor."""
    from tests.staff import sign_in_with_second_factor

    return sign_in_with_second_factor(client, admin_user)


def pytest_collection_modifyitems(config, items):
    """Browser tests run with the SQLite suite only: the pages they drive
    behave the same on both databases, and what does depend on the database
    (races, locks, restarts) is tested on both through real servers. It keeps
    CI, which runs the suite twice, under half an hour."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    skip = pytest.mark.skip(reason="browser tests run with the SQLite suite")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def requests_django_saw():
    """One entry per request Django itself handled (not answered ahead of it)."""
    seen = []

    def count(**kwargs):
        seen.append(1)

    request_started.connect(count)
    yield seen
    request_started.disconnect(count)
