import pytest
from django.core.cache import cache


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
    """Each test starts with an empty cache: no rate-limit counts, and no site
    settings cached by another test (whose database rows were rolled back)."""
    cache.clear()
    yield
    cache.clear()
