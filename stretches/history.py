"""Revision history of the health content (django-reversion): readable
documents of a version, the diff between two, and reverting to one."""

import difflib

import reversion
from django.db import transaction
from reversion.errors import RevertError
from reversion.models import Version

from audit.models import AuditEntry
from audit.services import record
from clinic.models import ContentVersion

from .models import (
    Guide,
    GuideSection,
    GuideStretch,
    Keyword,
    SectionPoint,
    Step,
    Stretch,
    StretchKeyword,
)


def _versions_in(revision, model):
    return [
        version.field_dict
        for version in revision.version_set.all()
        if version.content_type.model_class() is model
    ]


def _ordered(rows):
    return sorted(rows, key=lambda row: (row["position"], row["id"]))


def _stretch_document(fields, revision):
    steps = [row for row in _versions_in(revision, Step) if row["stretch_id"] == fields["id"]]
    links = [
        row for row in _versions_in(revision, StretchKeyword) if row["stretch_id"] == fields["id"]
    ]
    keyword_names = dict(
        Keyword.objects.filter(pk__in=[row["keyword_id"] for row in links]).values_list(
            "pk", "name"
        )
    )
    return {
        "Title": [fields["title"]],
        "Address (slug)": [fields["slug"]],
        "Published": ["yes" if fields["published"] else "no"],
        "How it helps": fields["benefit"].splitlines(),
        "Hold (seconds)": [_range(fields["hold_min_seconds"], fields["hold_max_seconds"])],
        "Repeat (times)": [_range(fields["repeat_min"], fields["repeat_max"])],
        "Each side": ["yes" if fields["each_side"] else "no"],
        "Steps": [f"{row['position']}. {row['text']}" for row in _ordered(steps)],
        "Keywords": [
            keyword_names.get(row["keyword_id"], "(deleted keyword)") for row in _ordered(links)
        ],
    }


def _guide_document(fields, revision):
    sections = [
        row for row in _versions_in(revision, GuideSection) if row["guide_id"] == fields["id"]
    ]
    points = _versions_in(revision, SectionPoint)
    placements = [
        row for row in _versions_in(revision, GuideStretch) if row["guide_id"] == fields["id"]
    ]
    titles = dict(
        Stretch.objects.filter(pk__in=[row["stretch_id"] for row in placements]).values_list(
            "pk", "title"
        )
    )
    lines = []
    for section in _ordered(sections):
        lines.append(f"== {section['heading'] or GuideSection.Kind(section['kind']).label} ==")
        lines += section["body"].splitlines()
        for point in _ordered([row for row in points if row["section_id"] == section["id"]]):
            lines.append(f"• {point['lead_in']} {point['text']}".replace("•  ", "• "))
        lines += section["closing"].splitlines()
    return {
        "Title": [fields["title"]],
        "Address (slug)": [fields["slug"]],
        "Summary": [fields["summary"]],
        "Published": ["yes" if fields["published"] else "no"],
        "Sections": [line for line in lines if line.strip()],
        "Stretches in order": [
            f"{row['position']}. {titles.get(row['stretch_id'], '(deleted stretch)')}"
            for row in _ordered(placements)
        ],
    }


def _keyword_document(fields, revision):
    return {"Name": [fields["name"]], "Address (slug)": [fields["slug"]]}


def _section_document(fields, revision):
    points = [
        row for row in _versions_in(revision, SectionPoint) if row["section_id"] == fields["id"]
    ]
    return {
        "Heading": [fields["heading"]],
        "Text": fields["body"].splitlines(),
        "Points": [f"{row['lead_in']} {row['text']}".strip() for row in _ordered(points)],
        "Closing": fields["closing"].splitlines(),
    }


DOCUMENTS = {
    Stretch: _stretch_document,
    Guide: _guide_document,
    Keyword: _keyword_document,
    GuideSection: _section_document,
}


def _range(low, high):
    if low is None:
        return "—"
    return str(low) if high in (None, low) else f"{low}–{high}"


def document(version):
    """The version as a reader sees it: a label for each part, with its lines."""
    return DOCUMENTS[version.content_type.model_class()](version.field_dict, version.revision)


def diff(older, newer):
    """The parts that differ between two versions, each as lines marked
    "added", "removed" or "same"."""
    before, after = document(older), document(newer)
    changes = []
    for label in after:
        if before.get(label) == after[label]:
            continue
        lines = []
        for line in difflib.ndiff(before.get(label, []), after[label]):
            marker, text = line[:2], line[2:]
            if marker == "? ":
                continue
            kind = {"+ ": "added", "- ": "removed"}.get(marker, "same")
            lines.append({"kind": kind, "text": text})
        changes.append({"label": label, "lines": lines})
    return changes


def _children(obj):
    if isinstance(obj, Stretch):
        return [obj.steps.all(), obj.stretch_keywords.all()]
    if isinstance(obj, Guide):
        return [obj.sections.all(), obj.guide_stretches.all()]
    return []


def _check_references(revision):
    """Refuse, before changing anything, a version that links to a keyword
    or a stretch deleted since (the database would refuse it only on commit)."""
    for model, field, target in (
        (StretchKeyword, "keyword_id", Keyword),
        (GuideStretch, "stretch_id", Stretch),
    ):
        wanted = {row[field] for row in _versions_in(revision, model)}
        if wanted - set(target.objects.filter(pk__in=wanted).values_list("pk", flat=True)):
            raise RevertError(f"A {target._meta.verbose_name} this version uses was deleted.")


def parts(obj):
    """`obj`'s children that a version or a draft holds with it."""
    if isinstance(obj, Stretch):
        return [obj.steps.all(), obj.stretch_keywords.all()]
    if isinstance(obj, Guide):
        return [
            obj.sections.all(),
            SectionPoint.objects.filter(section__guide=obj),
            obj.guide_stretches.all(),
        ]
    return []


def replace_whole(obj, restore):
    """Replace `obj` and its children by what `restore()` saves (raw rows of a
    version or a draft). Run inside a transaction.

    Its clinical review record stays as it is now: a replacement that
    changes published clinical wording awaits review like any edit."""
    review = {name: getattr(obj, name) for name in getattr(obj, "REVIEW_FIELDS", ())}
    wording_before = obj.clinical_wording() if review else None
    # Children the stored state lacks must go, and positions are unique per
    # parent, so the current children make way for the stored ones.
    for children in _children(obj):
        children.delete()
    restore()
    obj = type(obj).objects.get(pk=obj.pk)
    if review:
        changed = obj.clinical_wording() != wording_before
        review["awaiting_clinical_review"] = review["awaiting_clinical_review"] or (
            changed and obj.published
        )
        for name, value in review.items():
            setattr(obj, name, value)
        obj.save()
    # Raw rows send signals marked raw; say plainly that every page may differ.
    ContentVersion.bump()
    return obj


def revert(*, version, by):
    """Restore the object of `version`, with the children its version holds
    (steps and keyword links; sections, points and stretch order), as they
    were, keeping its current clinical review record (see `replace_whole`)."""
    obj = version.object
    if obj is None:
        raise Version.DoesNotExist("The object of this version no longer exists.")
    if isinstance(obj, GuideSection):
        # A section's version holds its whole guide (see models.py).
        obj = obj.guide
    _check_references(version.revision)
    with transaction.atomic(), reversion.create_revision():
        obj = replace_whole(obj, lambda: version.revision.revert(delete=False))
        reversion.set_user(by)
        reversion.set_comment(
            f"Reverted to the version of {version.revision.date_created:%Y-%m-%d %H:%M}."
        )
        record(
            action=AuditEntry.Action.CONTENT_REVERTED,
            by=by,
            request_numbers=[],
            detail=f"{obj._meta.verbose_name} #{obj.pk} “{obj}” to version {version.pk}"[:200],
        )
    return obj
