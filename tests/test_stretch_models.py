import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from stretches.models import Guide, Stretch


def stretch(**fields):
    fields.setdefault("title", "Side bend")
    fields.setdefault("slug", "side-bend")
    fields.setdefault("benefit", "Eases the sides of the back.")
    return Stretch(**fields)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        (
            {"hold_min_seconds": 20, "hold_max_seconds": 30, "each_side": True},
            "Hold 20–30 seconds, each side",
        ),
        ({"hold_min_seconds": 15}, "Hold 15 seconds"),
        ({"repeat_min": 5, "repeat_max": 10}, "Repeat 5–10 times"),
        (
            {"hold_min_seconds": 5, "repeat_min": 10, "each_side": True},
            "Hold 5 seconds, repeat 10 times, each side",
        ),
        ({}, ""),
    ],
)
def test_guidance_is_written_in_words(fields, words):
    assert stretch(**fields).guidance == words


def test_upper_number_below_lower_is_refused():
    with pytest.raises(ValidationError) as error:
        stretch(hold_min_seconds=30, hold_max_seconds=20).clean()
    assert "hold_max_seconds" in error.value.message_dict


def test_upper_number_without_lower_is_refused():
    with pytest.raises(ValidationError) as error:
        stretch(repeat_max=10).clean()
    assert "repeat_min" in error.value.message_dict


def test_an_image_needs_a_description():
    image = SimpleUploadedFile("pose.png", b"not checked here", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        stretch(image=image, image_alt="  ").clean()
    assert "image_alt" in error.value.message_dict


def test_guide_never_reviewed_is_due():
    assert Guide(title="New").review_is_due()


def test_guide_review_falls_due_after_its_interval():
    guide = Guide(title="Old", last_reviewed_on=datetime.date(2025, 1, 31), review_every_months=1)
    assert guide.next_review_on == datetime.date(2025, 2, 28)
    assert not guide.review_is_due(today=datetime.date(2025, 2, 27))
    assert guide.review_is_due(today=datetime.date(2025, 2, 28))


@pytest.mark.django_db
def test_only_one_guide_can_be_the_home_page():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Guide.objects.create(title="Another", slug="another", is_homepage=True)
