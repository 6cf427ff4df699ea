"""A guide's page and routine are loaded in a fixed set of prepared queries
(stretches/guide_content.py): what they load is what the ORM gives, nothing
more is read while the page renders, and queries built on what was loaded
stay within the guide."""

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from stretches import guide_content
from stretches.models import Guide, GuideSection, GuideStretch, SectionPoint, StretchKeyword
from tests.factories import make_guide, make_keyword, make_stretch

pytestmark = pytest.mark.django_db


def render_guide_page(guide):
    request = RequestFactory().get(guide.get_absolute_url())
    return render_to_string("stretches/guide_detail.html", {"guide": guide}, request)


def read_by_prefetch_related(pk):
    """The guide as the ORM's `prefetch_related` reads it for its page."""
    return Guide.objects.prefetch_related(
        "sections__points",
        Prefetch(
            "guide_stretches",
            queryset=GuideStretch.objects.filter(stretch__published=True).select_related("stretch"),
        ),
        "guide_stretches__stretch__steps",
        Prefetch(
            "guide_stretches__stretch__stretch_keywords",
            queryset=StretchKeyword.objects.select_related("keyword"),
        ),
    ).get(pk=pk)


def two_guides_sharing_a_stretch_and_a_keyword():
    back = make_keyword("back pain")
    shared = make_stretch("Shared stretch", steps=("Kneel.", "Sit back."), keywords=[back])
    first = make_guide(
        [make_stretch("First's own", keywords=[make_keyword("hips"), back]), shared],
        title="First",
    )
    second = make_guide([shared, make_stretch("Second's own", keywords=[back])], title="Second")
    SectionPoint.objects.create(section=first.sections.first(), position=1, text="Go slowly.")
    first.guide_stretches.create(stretch=make_stretch("Hidden", published=False), position=9)
    return first, second


def test_the_loaded_page_renders_as_prefetch_related_reads_it():
    two_guides_sharing_a_stretch_and_a_keyword()
    assert Guide.objects.count() == 3  # the clinic's article and the two above
    for guide in Guide.objects.all():
        loaded = guide_content.load_page(Guide.objects.get(pk=guide.pk))
        assert render_guide_page(loaded) == render_guide_page(read_by_prefetch_related(guide.pk))


def test_rendering_a_loaded_page_reads_nothing_more():
    first, _second = two_guides_sharing_a_stretch_and_a_keyword()
    for guide in (Guide.objects.homepage(), first):
        loaded = guide_content.load_page(Guide.objects.get(pk=guide.pk))
        with CaptureQueriesContext(connection) as queries:
            html = render_guide_page(loaded)
        # The site settings and the footer's location may be read; no content.
        content_queries = [q["sql"] for q in queries.captured_queries if "stretches_" in q["sql"]]
        assert content_queries == []
        assert loaded.title in html


def test_a_guide_shows_only_its_own_published_stretches_in_its_order():
    first, second = two_guides_sharing_a_stretch_and_a_keyword()
    guide_content.load_page(first)
    guide_content.load_page(second)
    titles = [placement.stretch.title for placement in first.guide_stretches.all()]
    assert titles == ["First's own", "Shared stretch"]
    titles = [placement.stretch.title for placement in second.guide_stretches.all()]
    assert titles == ["Shared stretch", "Second's own"]
    own = first.guide_stretches.all()[0].stretch
    assert [keyword.name for keyword in own.ordered_keywords()] == ["hips", "back pain"]
    assert [step.text for step in first.guide_stretches.all()[1].stretch.steps.all()] == [
        "Kneel.",
        "Sit back.",
    ]


def test_a_query_built_on_what_was_loaded_stays_within_the_guide():
    first, _second = two_guides_sharing_a_stretch_and_a_keyword()
    guide_content.load_page(first)
    assert list(first.sections.filter(kind=GuideSection.Kind.STRETCHES)) == list(
        GuideSection.objects.filter(guide=first, kind=GuideSection.Kind.STRETCHES)
    )
    assert first.sections.order_by("-position").first().guide_id == first.pk
    # Loaded: the published stretches; queried: the guide's own, the unpublished one too.
    assert first.guide_stretches.count() == 2
    hidden = first.guide_stretches.filter(stretch__published=False)
    assert [placement.stretch.title for placement in hidden] == ["Hidden"]


def test_children_know_their_parent_without_a_query():
    first, _second = two_guides_sharing_a_stretch_and_a_keyword()
    guide_content.load_page(first)
    placement = first.guide_stretches.all()[0]
    section = first.sections.all()[0]
    with CaptureQueriesContext(connection) as queries:
        assert placement.guide is first
        assert placement.stretch.steps.all()[0].stretch is placement.stretch
        assert section.points.all()[0].section is section
        assert placement.stretch.stretch_keywords.all()[0].keyword.name == "hips"
    assert queries.captured_queries == []


def test_the_home_page_guide_is_the_flagged_one_else_the_first_published():
    article = Guide.objects.get(is_homepage=True)
    make_guide(title="1 stretch a day, first by title")
    assert guide_content.homepage() == Guide.objects.homepage() == article
    Guide.objects.filter(pk=article.pk).update(is_homepage=False)
    assert (
        guide_content.homepage().title
        == Guide.objects.homepage().title
        == ("1 stretch a day, first by title")
    )
    Guide.objects.update(published=False)
    assert guide_content.homepage() is None and Guide.objects.homepage() is None
