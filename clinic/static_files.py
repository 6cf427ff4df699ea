"""WhiteNoise's storage of static files, with each file's address worked out
once per process.

Every rendered page links its stylesheet, logo and icon, and each `{% static %}`
looked the hashed name up in the manifest afresh: about 10 µs a link. The
manifest is read when a process starts and only `collectstatic`, followed by
a restart, changes it.

    STORAGES["staticfiles"]["BACKEND"] = "clinic.static_files.StaticFilesStorage"
"""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._addresses = {}

    def url(self, name, force=False):
        key = (name, force, settings.DEBUG)  # DEBUG links the files by their own names
        address = self._addresses.get(key)
        if address is None:
            # A file missing from the manifest raises, every time, as before.
            address = self._addresses[key] = super().url(name, force)
        return address
