"""Small builders for test data: each makes one valid object and takes
overrides for what a test cares about."""

import itertools

from stretches.models import Guide, GuideSection, GuideStretch, Keyword, Step, Stretch

_numbers = itertools.count(1)


def make_keyword(name=None, **fields):
    number = next(_numbers)
    name = name or f"keyword {number}"
    return Keyword.objects.create(name=name, slug=fields.pop("slug", f"keyword-{number}"), **fields)


def make_stretch(title=None, steps=("Stand tall.", "Breathe out."), keywords=(), **fields):
    number = next(_numbers)
    fields.setdefault("slug", f"test-stretch-{number}")
    fields.setdefault("benefit", "Loosens the lower back.")
    fields.setdefault("position", 100 + number)
    stretch = Stretch.objects.create(title=title or f"Test stretch {number}", **fields)
    for position, text in enumerate(steps, start=1):
        Step.objects.create(stretch=stretch, position=position, text=text)
    for position, keyword in enumerate(keywords, start=1):
        stretch.stretch_keywords.create(keyword=keyword, position=position)
    return stretch


def make_guide(stretches=(), **fields):
    number = next(_numbers)
    fields.setdefault("title", f"Test guide {number}")
    fields.setdefault("slug", f"test-guide-{number}")
    guide = Guide.objects.create(**fields)
    GuideSection.objects.create(
        guide=guide, position=1, heading="Before you start", body="Warm up."
    )
    GuideSection.objects.create(guide=guide, position=2, kind=GuideSection.Kind.STRETCHES)
    for position, stretch in enumerate(stretches, start=1):
        GuideStretch.objects.create(guide=guide, stretch=stretch, position=position)
    return guide


def add_to_guide(guide, stretches):
    start = guide.guide_stretches.count()
    for offset, stretch in enumerate(stretches, start=1):
        GuideStretch.objects.create(guide=guide, stretch=stretch, position=start + offset)
