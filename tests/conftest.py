import pytest


@pytest.fixture(autouse=True)
def media_root_in_tmp(settings, tmp_path):
    """Uploads made by tests land in a temporary folder, never in media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
