"""The "please try again" page nginx shows when no app server answers
(deploy/nginx/clinic.conf): STATIC_ROOT/unavailable.html, rendered from
templates/503.html with the clinic's contact details (the main location's,
else the site settings': practice/contact.py).

nginx serves it from disk, so it is written ahead: at deploy by
`manage.py write_unavailable_page` (systemd runs it as each app server starts
and reloads), and again once staff save the site settings or a location, so
that a patient who meets an outage is given the number the site shows now,
not the one it showed at the last deploy.
"""

import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.template.loader import render_to_string

PAGE_NAME = "unavailable.html"

logger = logging.getLogger(__name__)


def page_path():
    return Path(settings.STATIC_ROOT) / PAGE_NAME


def render_page():
    from clinic.models import SiteSettings
    from practice.contact import clinic_contact

    site = SiteSettings.current()
    return render_to_string(
        "503.html",
        {
            "site": site,
            "contact": clinic_contact(),
            "clinic_name": site.clinic_name,
            "emergency_number": settings.EMERGENCY_NUMBER,
            # nginx cannot tell whether a form it passed on was stored.
            "reached_us_unknown": True,
        },
    )


def write_page(path=None):
    """Writes the page, whole, then renames it into place: nginx never serves
    half a page. Returns where it went."""
    path = Path(path or page_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    page = render_page()
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False
    ) as draft:
        draft.write(page)
    try:
        os.chmod(draft.name, 0o644)
        os.replace(draft.name, path)
    except OSError:
        os.unlink(draft.name)
        raise
    return path


def refresh_deployed_page():
    """Writes the page again where a deploy put one (nowhere else: a
    developer's checkout or a test run gains no file). A failure is logged and
    never undoes the staff member's save, which is already committed."""
    path = page_path()
    if not path.exists():
        return
    try:
        write_page(path)
    except Exception:
        logger.exception("Could not rewrite the outage page %s; it shows the old details", path)


def keep_current(*models):
    """The page shows these models' details: after any committed save or
    delete of one, write it again."""
    for model in models:
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                _contact_details_changed,
                sender=model,
                dispatch_uid=f"unavailable-page-{name}-{model._meta.label}",
            )


def _contact_details_changed(sender, **kwargs):
    transaction.on_commit(refresh_deployed_page)
