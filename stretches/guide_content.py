"""What a guide's page and its routine show, loaded in a few prepared queries
(clinic/prepared_queries.py) and left on the guide as `prefetch_related`
leaves it: `guide.sections.all`, `placement.stretch.steps.all`,
`stretch.ordered_keywords()` and the rest read it without a query.

Every page is rendered once after each content edit; loading a guide through
`prefetch_related` cost about 4 ms of the article's 9, its SQL 0.15 ms.
Only the guide's published stretches are shown, in the guide's order.
"""

from clinic.prepared_queries import PreparedQuery, by_parent, know_parents, leave_loaded

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


def _published_stretch_ids(guide_id):
    return GuideStretch.objects.filter(guide_id=guide_id, stretch__published=True).values(
        "stretch_id"
    )


_homepage = PreparedQuery(lambda: Guide.objects.published()[:1])
_sections = PreparedQuery(lambda guide_id: GuideSection.objects.filter(guide_id=guide_id))
_points = PreparedQuery(lambda guide_id: SectionPoint.objects.filter(section__guide_id=guide_id))
_placements = PreparedQuery(
    lambda guide_id: GuideStretch.objects.filter(guide_id=guide_id, stretch__published=True)
)
_stretches = PreparedQuery(
    lambda guide_id: Stretch.objects.filter(pk__in=_published_stretch_ids(guide_id))
)
_steps = PreparedQuery(
    lambda guide_id: Step.objects.filter(stretch__in=_published_stretch_ids(guide_id))
)
_stretch_keywords = PreparedQuery(
    lambda guide_id: StretchKeyword.objects.filter(stretch__in=_published_stretch_ids(guide_id))
)
_keywords = PreparedQuery(
    lambda guide_id: Keyword.objects.filter(
        pk__in=StretchKeyword.objects.filter(stretch__in=_published_stretch_ids(guide_id)).values(
            "keyword_id"
        )
    )
)


def homepage():
    """`Guide.objects.homepage()`, the guide shown at the site's root, or None."""
    return next(iter(_homepage()), None)


def load_page(guide):
    """`guide` with everything its page shows: its sections and their points,
    and its stretches with their steps and keywords."""
    sections = know_parents(_sections(guide.pk), "guide", {guide.pk: guide})
    leave_loaded(guide, "sections", sections)
    points = by_parent(_points(guide.pk), "section", sections)
    for section in sections:
        leave_loaded(section, "points", points[section.pk])
    stretches = load_routine(guide)
    links = by_parent(_stretch_keywords(guide.pk), "stretch", stretches)
    keywords = {keyword.pk: keyword for keyword in _keywords(guide.pk)}
    for stretch in stretches:
        leave_loaded(
            stretch, "stretch_keywords", know_parents(links[stretch.pk], "keyword", keywords)
        )
    return guide


def load_routine(guide):
    """Leaves on `guide` its published stretches in its order, each with its
    steps, and returns the stretches."""
    stretches = _stretches(guide.pk)
    placements = know_parents(_placements(guide.pk), "guide", {guide.pk: guide})
    placements = know_parents(placements, "stretch", {s.pk: s for s in stretches})
    leave_loaded(guide, "guide_stretches", placements)
    steps = by_parent(_steps(guide.pk), "stretch", stretches)
    for stretch in stretches:
        leave_loaded(stretch, "steps", steps[stretch.pk])
    return stretches
