"""A prepared query (clinic/prepared_queries.py) gives what its queryset
gives, value for value, on SQLite and on PostgreSQL, for any value it is run
with; querysets it cannot prepare are refused when it is first run."""

import datetime
import inspect

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models.signals import post_init
from django.utils import timezone

from clinic.prepared_queries import PreparedQuery, by_parent, know_parents
from stretches.models import Step, Stretch
from tests.factories import make_keyword, make_stretch

pytestmark = pytest.mark.django_db

FIELDS = [field.attname for field in Stretch._meta.concrete_fields]

stretches_with_keyword = PreparedQuery(
    lambda keyword_id: Stretch.objects.filter(stretch_keywords__keyword_id=keyword_id)
)


def values(instances):
    return [{name: getattr(instance, name) for name in FIELDS} for instance in instances]


def test_it_gives_the_querysets_instances_field_for_field():
    keyword = make_keyword()
    make_stretch(
        "Cat-cow",
        keywords=[keyword],
        image_renditions={"480": "cat-cow-480.webp"},
        unpublish_at=timezone.now() + datetime.timedelta(days=3),
        each_side=True,
    )
    make_stretch("Cobra", keywords=[keyword], published=False)
    prepared = stretches_with_keyword(keyword.pk)
    expected = list(Stretch.objects.filter(stretch_keywords__keyword_id=keyword.pk))
    assert [stretch.title for stretch in prepared] == ["Cat-cow", "Cobra"]
    assert values(prepared) == values(expected)
    assert prepared[0].unpublish_at.tzinfo is not None
    assert prepared[0].each_side is True and prepared[1].published is False
    assert prepared[0].image_renditions == {"480": "cat-cow-480.webp"}
    assert not prepared[0]._state.adding and prepared[0]._state.db == "default"


def test_each_run_binds_its_own_value():
    hips, knees = make_keyword(), make_keyword()
    make_stretch("Hip opener", keywords=[hips])
    make_stretch("Knee hug", keywords=[knees])
    assert [s.title for s in stretches_with_keyword(hips.pk)] == ["Hip opener"]
    assert [s.title for s in stretches_with_keyword(knees.pk)] == ["Knee hug"]
    assert stretches_with_keyword(0) == []


def test_an_instance_it_gives_saves_as_one_the_orm_gives():
    keyword = make_keyword()
    make_stretch("Cat-cow", keywords=[keyword])
    [stretch] = stretches_with_keyword(keyword.pk)
    stretch.title = "Cat-cow, slowly"
    stretch.save(update_fields=["title"])
    assert Stretch.objects.get(pk=stretch.pk).title == "Cat-cow, slowly"


def test_it_takes_any_number_of_values_or_none():
    hips, knees = make_keyword(), make_keyword()
    make_stretch("Hip opener", keywords=[hips])
    make_stretch("Knee hug", keywords=[knees])
    either = PreparedQuery(
        lambda first, second: Stretch.objects.filter(
            stretch_keywords__keyword_id__in=[first, second]
        ).order_by("title")
    )
    assert [s.title for s in either(hips.pk, knees.pk)] == ["Hip opener", "Knee hug"]
    assert [s.title for s in either(knees.pk, 0)] == ["Knee hug"]
    first_by_title = PreparedQuery(lambda: Stretch.objects.order_by("title")[:1])
    assert first_by_title() == [Stretch.objects.order_by("title").first()]


@pytest.mark.parametrize(
    "build",
    [
        lambda stretch_id: Step.objects.filter(stretch_id=stretch_id).select_related("stretch"),
        lambda stretch_id: Step.objects.filter(stretch_id=stretch_id).values("text"),
        lambda stretch_id: Step.objects.filter(stretch_id=1),
        lambda stretch_id, text: Step.objects.filter(stretch_id=stretch_id),
    ],
    ids=["select_related", "values", "value not in the SQL", "second value not in the SQL"],
)
def test_what_it_cannot_prepare_is_refused(build):
    values = [1] * len(inspect.signature(build).parameters)
    with pytest.raises(ImproperlyConfigured):
        PreparedQuery(build)(*values)


def test_a_text_value_is_bound_as_text():
    make_stretch("Cobra", slug="cobra")
    make_stretch("Cat-cow", slug="cat-cow")
    by_slug = PreparedQuery(lambda slug: Stretch.objects.filter(slug=slug))
    assert [s.title for s in by_slug("cobra")] == ["Cobra"]
    assert [s.title for s in by_slug("cat-cow")] == ["Cat-cow"]
    assert by_slug("' OR 1=1 --") == []


def test_children_whose_parent_was_not_loaded_are_left_out():
    # Each query reads the database as it is when it runs: a stretch published
    # between the stretches' query and the steps' has steps but no stretch.
    loaded = make_stretch("Loaded", steps=("Kneel.",))
    published_since = make_stretch("Published since", steps=("Stand.",))
    steps = list(Step.objects.filter(stretch__in=[loaded, published_since]))
    steps_by_stretch = by_parent(steps, "stretch", [loaded])
    assert steps_by_stretch == {loaded.pk: [steps[0]]}
    assert steps[0].stretch is loaded
    assert know_parents(steps, "stretch", {}) == []


def test_a_post_init_receiver_sees_every_instance_it_gives():
    keyword = make_keyword()
    make_stretch("Cat-cow", keywords=[keyword])
    make_stretch("Cobra", keywords=[keyword])
    seen = []

    def remember(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(remember, sender=Stretch)
    try:
        prepared = stretches_with_keyword(keyword.pk)
    finally:
        post_init.disconnect(remember, sender=Stretch)
    assert [id(instance) for instance in seen] == [id(instance) for instance in prepared]
    assert values(prepared) == values(Stretch.objects.filter(stretch_keywords__keyword=keyword))


def test_an_instance_built_directly_holds_what_from_db_gives_it():
    keyword = make_keyword()
    make_stretch("Cat-cow", keywords=[keyword], image="stretches/cat-cow.jpg")
    [built] = stretches_with_keyword(keyword.pk)
    [expected] = Stretch.objects.filter(stretch_keywords__keyword=keyword)
    assert {k: v for k, v in vars(built).items() if k != "_state"} == {
        k: v for k, v in vars(expected).items() if k != "_state"
    }
    assert (built._state.adding, built._state.db) == (False, "default")
    assert built.image.name == "stretches/cat-cow.jpg" and built.image.instance is built
