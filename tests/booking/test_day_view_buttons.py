"""The day view's time buttons are made in Python for speed: they must be the
same HTML that booking/_slot_buttons.html renders (the nearest-times list
still uses the template)."""

import datetime

from django.template.loader import render_to_string

from booking.availability import Slot
from booking.forms import slot_value
from booking.views import day_view

UTC = datetime.UTC


def slot(*args):
    starts_at = datetime.datetime(*args, tzinfo=UTC)
    return Slot(starts_at, 7, 3, starts_at + datetime.timedelta(minutes=30))


def test_the_day_view_buttons_are_the_html_the_template_renders():
    # Across the clocks going back (25 October 2026), morning and afternoon.
    slots = [
        slot(2026, 10, 24, 8, 0),
        slot(2026, 10, 24, 13, 15),
        slot(2026, 10, 25, 0, 30),
        slot(2026, 10, 25, 1, 30),
        slot(2026, 10, 26, 9, 45),
    ]
    days = day_view(slots)
    assert [day["date"].isoformat() for day in days] == ["2026-10-24", "2026-10-25", "2026-10-26"]
    for day in days:
        for part in day["parts"]:
            template = render_to_string("booking/_slot_buttons.html", {"slots": part["slots"]})
            assert part["buttons"] == template
    assert 'value="7|2026-10-24T08:00:00+00:00"' in days[0]["parts"][0]["buttons"]
    assert ">09:00<span" in days[0]["parts"][0]["buttons"]  # 08:00 UTC is 09:00 BST
    assert "on Saturday 24 October" in days[0]["parts"][0]["buttons"]


def test_a_time_offered_by_two_clinicians_gets_one_button_for_the_first():
    first = slot(2026, 11, 3, 10, 0)
    second = Slot(first.starts_at, 9, 3, first.ends_at)
    (day,) = day_view([first, second])
    assert day["parts"][0]["slots"] == [(slot_value(first), first)]
