"""Small builders for test data: each makes one valid object and takes
overrides for what a test cares about."""

import itertools
import time

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


def consultation_form_data(**overrides):
    """A valid consultation form as a patient would send it: its token was
    issued a minute ago, so it is not mistaken for a bot."""
    from consultations.forms import issue_form_token

    data = {
        "full_name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "020 7946 0958",
        "preferred_contact": "email",
        "preferred_days": ["mon", "wed"],
        "preferred_time": "morning",
        "pain_duration_weeks": "6",
        "pain_intensity": "6",
        "description": "Lower back ache for a month, worse after sitting at my desk.",
        "stretch": "",
        "consent": "on",
        "consent_version": "2026-11",
        "form_token": issue_form_token(shown=time.time() - 60),
        "source_page": "",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_consultation(**fields):
    """A stored consultation request, as if sent through the form."""
    from django.utils import timezone

    from consultations.models import ConsultationRequest

    defaults = {
        "full_name": "Grace Hopper",
        "email": f"patient{next(_numbers)}@example.com",
        "phone": "",
        "preferred_contact": "email",
        "pain_duration_weeks": 6,
        "pain_intensity": 5,
        "description": "Stiff lower back in the mornings.",
        "consent_version": "2026-11",
        "consent_text": "I agree.",
        "consent_given_at": timezone.now(),
        "consent_page": "/consultation/",
    }
    consultation, _ = ConsultationRequest(**(defaults | fields)).save_once()
    return consultation
