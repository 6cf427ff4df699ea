"""Each stretch's dose becomes the routine's timer plan: where the hold timer
starts and how far the patient may change it, one side or two, and how many
paced repetitions."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from stretches.models import BREATH_SECONDS, Stretch
from tests.routine.helpers import routine_plans
from tests.test_stretch_admin import stretch_form

pytestmark = pytest.mark.django_db

HOLD_20_TO_30 = {"min": 20, "max": 30, "default": 30}

# The article's seven stretches, as its text doses them.
ARTICLE_PLANS = {
    "childs-pose": {"hold": HOLD_20_TO_30, "repetitions": None, "sides": 1},
    "cat-cow-stretch": {
        "hold": None,
        "repetitions": {"min": 5, "max": 10, "default": 10, "breath_seconds": BREATH_SECONDS},
        "sides": 1,
    },
    "knee-to-chest-stretch": {"hold": HOLD_20_TO_30, "repetitions": None, "sides": 2},
    "seated-spinal-twist": {"hold": HOLD_20_TO_30, "repetitions": None, "sides": 2},
    "cobra-stretch": {
        "hold": {"min": 10, "max": 20, "default": 20},
        "repetitions": None,
        "sides": 1,
    },
    "figure-four-stretch": {"hold": HOLD_20_TO_30, "repetitions": None, "sides": 2},
    "standing-forward-bend": {"hold": HOLD_20_TO_30, "repetitions": None, "sides": 1},
}


@pytest.mark.parametrize("slug", list(ARTICLE_PLANS))
def test_every_article_stretch_has_the_timer_plan_its_dose_gives(slug):
    assert Stretch.objects.get(slug=slug).timer_plan() == ARTICLE_PLANS[slug]


def test_the_plans_cover_every_stretch_of_the_article():
    assert set(ARTICLE_PLANS) == set(Stretch.objects.values_list("slug", flat=True))


def test_a_hold_of_20_to_30_seconds_starts_at_30():
    assert Stretch.objects.get(slug="childs-pose").timer_plan()["hold"]["default"] == 30


def test_the_staffs_default_hold_is_where_the_timer_starts():
    stretch = Stretch.objects.get(slug="childs-pose")
    stretch.default_hold_seconds = 25
    stretch.full_clean()
    assert stretch.timer_plan()["hold"] == {"min": 20, "max": 30, "default": 25}


def test_an_exact_hold_has_no_range_to_choose_from():
    stretch = Stretch(title="Wall sit", slug="wall-sit", benefit="x", hold_min_seconds=15)
    assert stretch.timer_plan()["hold"] == {"min": 15, "max": 15, "default": 15}


def test_a_stretch_without_a_dose_is_done_at_the_patients_own_pace():
    stretch = Stretch(title="Walk", slug="walk", benefit="x")
    assert stretch.timer_plan() == {"hold": None, "repetitions": None, "sides": 1}


def test_held_repetitions_keep_both_the_hold_and_the_count():
    stretch = Stretch(
        title="Bridge",
        slug="bridge",
        benefit="x",
        hold_min_seconds=5,
        repeat_min=10,
        each_side=True,
    )
    plan = stretch.timer_plan()
    assert plan["hold"] == {"min": 5, "max": 5, "default": 5}
    assert plan["repetitions"]["default"] == 10
    assert plan["sides"] == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"hold_min_seconds": 20, "hold_max_seconds": 30, "default_hold_seconds": 31},
            "from 20 to 30",
        ),
        (
            {"hold_min_seconds": 20, "hold_max_seconds": 30, "default_hold_seconds": 19},
            "from 20 to 30",
        ),
        ({"hold_min_seconds": 15, "default_hold_seconds": 20}, "from 15 to 15"),
        ({"repeat_min": 5, "default_hold_seconds": 20}, "Give the hold range first"),
    ],
)
def test_a_default_hold_outside_the_range_is_refused_with_the_range(fields, message):
    stretch = Stretch(title="Side bend", slug="side-bend", benefit="x", **fields)
    with pytest.raises(ValidationError) as error:
        stretch.clean()
    assert message in " ".join(error.value.message_dict["default_hold_seconds"])


def test_staff_see_the_routines_dose_fields_in_the_admin(admin_client):
    stretch = Stretch.objects.get(slug="cobra-stretch")
    page = admin_client.get(f"/admin/stretches/stretch/{stretch.pk}/change/")
    assert 'name="default_hold_seconds"' in page.content.decode()
    assert 'name="each_side"' in page.content.decode()
    assert 'name="repeat_min"' in page.content.decode()


def test_staff_change_the_default_hold_in_the_admin_and_the_routine_starts_there(
    admin_client, client
):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    url = reverse("admin:stretches_stretch_change", args=[cobra.pk])
    response = admin_client.post(url, stretch_form(cobra, default_hold_seconds=15))
    assert response.status_code == 302
    plans = routine_plans(client.get("/routine/"))
    assert plans["cobra-stretch"]["hold"] == {"min": 10, "max": 20, "default": 15}


def test_the_admin_refuses_a_default_hold_outside_the_range_and_keeps_the_old_one(
    admin_client,
):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    url = reverse("admin:stretches_stretch_change", args=[cobra.pk])
    response = admin_client.post(url, stretch_form(cobra, default_hold_seconds=45, each_side="on"))
    assert response.status_code == 200
    assert "Choose a hold within the range, from 10 to 20 seconds." in response.content.decode()
    cobra.refresh_from_db()
    assert (cobra.default_hold_seconds, cobra.each_side) == (None, False)
