"""Saving content as the admin does: each save keeps a version in the history."""

import reversion
from django.contrib.auth.models import Group, User
from reversion.models import Version


def saved_version(obj, *, by=None, save_children=()):
    """Save `obj` (and `save_children`) in one revision; return its version."""
    with reversion.create_revision():
        obj.save()
        for child in save_children:
            child.save()
        reversion.set_user(by)
    return Version.objects.get_for_object(obj).first()


def clinical_reviewer(username="reviewer", **fields):
    fields.setdefault("first_name", "Amira")
    fields.setdefault("last_name", "Jones")
    user = User.objects.create_user(username, password="pw-for-tests-only", is_staff=True, **fields)
    user.groups.add(Group.objects.get(name="Clinical reviewers"))
    return user
