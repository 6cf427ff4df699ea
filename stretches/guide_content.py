"""What a guide's page and its routine show, loaded in a few prepared queries
(clinic/prepared_queries.py) and left on the guide as `prefetch_related`
leaves it: `guide.sections.all`, `placement.stretch.steps.all`,
`stretch.ordered_keywords()` and the rest read it without a query.

Every page is rendered once after each content edit; loading a guide through
`prefetch_related` cost about 4 ms of the article's 9, its SQL 0.15 ms.
Only the guide's published stretches are shown, in the guide's order.
"""

from django.db.models import QuerySet

from clinic.prepared_queries import PreparedQuery

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
    sections = _know_parents(_sections(guide.pk), "guide", {guide.pk: guide})
    _leave_loaded(guide, "sections", sections)
    points = _by_parent(_points(guide.pk), "section", sections)
    for section in sections:
        _leave_loaded(section, "points", points[section.pk])
    stretches = load_routine(guide)
    links = _by_parent(_stretch_keywords(guide.pk), "stretch", stretches)
    keywords = {keyword.pk: keyword for keyword in _keywords(guide.pk)}
    for stretch in stretches:
        _leave_loaded(stretch, "stretch_keywords", links[stretch.pk])
        _know_parents(links[stretch.pk], "keyword", keywords)
    return guide


def load_routine(guide):
    """Leaves on `guide` its published stretches in its order, each with its
    steps, and returns the stretches."""
    stretches = _stretches(guide.pk)
    placements = _know_parents(_placements(guide.pk), "guide", {guide.pk: guide})
    _know_parents(placements, "stretch", {stretch.pk: stretch for stretch in stretches})
    _leave_loaded(guide, "guide_stretches", placements)
    steps = _by_parent(_steps(guide.pk), "stretch", stretches)
    for stretch in stretches:
        _leave_loaded(stretch, "steps", steps[stretch.pk])
    return stretches


def _by_parent(children, field_name, parents):
    """`children` listed by their parent's primary key, in the order they
    came, each knowing its parent (`child.<field_name>` needs no query)."""
    by_parent = {parent.pk: [] for parent in parents}
    for child in _know_parents(children, field_name, {p.pk: p for p in parents}):
        by_parent[getattr(child, f"{field_name}_id")].append(child)
    return by_parent


def _know_parents(children, field_name, parents_by_pk):
    """Caches each child's foreign key `field_name` from `parents_by_pk`."""
    if children:
        field = children[0]._meta.get_field(field_name)
        for child in children:
            field.set_cached_value(child, parents_by_pk[getattr(child, field.attname)])
    return children


def _leave_loaded(instance, relation, rows):
    """What `prefetch_related` leaves: `instance.<relation>.all()` gives `rows`
    without a query."""
    loaded = _LoadedRows(model=getattr(type(instance), relation).rel.related_model)
    loaded._result_cache = rows
    loaded._prefetch_done = True
    loaded._owner = (instance, relation)
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = loaded


class _LoadedRows(QuerySet):
    """Rows already loaded. A query built on them (`.filter()`, `.first()`)
    starts from the relation's own query, as after `prefetch_related`, not
    from every row of the table."""

    def _chain(self):
        instance, relation = self._owner
        related = getattr(instance, relation)
        return related._apply_rel_filters(QuerySet(model=self.model, using=self.db))._chain()
