"""The guided routine and the pain diary in a real browser. Timers are
driven by Playwright's clock (`page.clock`), never by waiting."""

import datetime
import json

import pytest

from consultations.models import ConsultationRequest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

phone_only = pytest.mark.parametrize("viewport", ["phone"], indirect=True)
DIARY_KEY = "clinic.painDiary.v1"


NINE_AM = datetime.datetime(2026, 11, 29, 9, 0)


def install_clock(page):
    """A fake clock that moves only when the test runs it."""
    page.clock.install(time=NINE_AM)


def stop_clock(page):
    # After loading: the clock runs naturally until paused.
    page.clock.pause_at(NINE_AM + datetime.timedelta(minutes=1))


def open_routine(page, live_server, path="/routine/"):
    install_clock(page)
    page.goto(live_server.url + path)
    page.wait_for_load_state("load")
    stop_clock(page)


def player(page):
    running = page.locator("[data-panel=running]")
    return {
        "phase": running.locator("[data-phase]").inner_text(),
        "count": running.locator("[data-count]").inner_text(),
        "detail": running.locator("[data-detail]").inner_text(),
        "progress": running.locator("[data-progress]").inner_text(),
    }


def announced(page):
    page.clock.run_for(100)  # the live region is emptied, then filled
    return page.locator("[data-announcer]").inner_text()


def start(page):
    page.get_by_role("button", name="Start the routine").click()


def skip(page, times=1):
    for _ in range(times):
        page.get_by_role("button", name="Skip").click()


@phone_only
def test_a_get_ready_countdown_then_a_hold_that_starts_at_the_longest(page, live_server):
    open_routine(page, live_server)
    start(page)
    assert player(page) | {"detail": ""} == {
        "phase": "Get ready: Child’s Pose",
        "count": "5",
        "detail": "",
        "progress": "Stretch 1 of 7: Child’s Pose",
    }
    page.clock.run_for(2_000)
    assert player(page)["count"] == "3"
    page.clock.run_for(3_000)
    assert (player(page)["phase"], player(page)["count"]) == ("Hold", "30")
    page.clock.run_for(29_000)
    assert (player(page)["phase"], player(page)["count"]) == ("Hold", "1")
    page.clock.run_for(1_000)
    assert player(page)["phase"] == "Get ready: Cat-Cow Stretch"
    assert player(page)["progress"] == "Stretch 2 of 7: Cat-Cow Stretch"


@phone_only
def test_the_patient_may_choose_a_hold_within_the_range(page, live_server):
    open_routine(page, live_server)
    start(page)
    hold = page.get_by_label("Hold (20 to 30 seconds)")
    assert (hold.get_attribute("min"), hold.get_attribute("max")) == ("20", "30")
    hold.fill("20")
    hold.press("Tab")
    page.clock.run_for(5_000)
    assert player(page)["count"] == "20"
    hold.fill("90")  # beyond the range: the longest hold
    hold.press("Tab")
    assert hold.input_value() == "30"
    assert player(page)["count"] == "30"


@phone_only
def test_each_side_is_two_holds_with_a_switch_sides_prompt(page, live_server):
    open_routine(page, live_server)
    start(page)
    skip(page, 2)
    assert player(page)["phase"] == "Get ready: Knee-to-Chest Stretch"
    page.clock.run_for(5_000)
    assert player(page)["phase"] == "First side. Hold"
    assert player(page)["detail"] == "Side 1 of 2"
    page.clock.run_for(30_000)
    assert player(page)["phase"] == "Switch sides"
    assert announced(page) == "Switch sides. The second side starts in 5 seconds."
    page.clock.run_for(5_000)
    assert (player(page)["phase"], player(page)["count"]) == ("Second side. Hold", "30")
    assert player(page)["detail"] == "Side 2 of 2"
    page.clock.run_for(30_000)
    assert player(page)["phase"] == "Get ready: Seated Spinal Twist"


@phone_only
def test_repetitions_are_counted_and_paced_by_the_breath(page, live_server):
    open_routine(page, live_server)
    start(page)
    skip(page)
    reps = page.get_by_label("Repetitions (5 to 10)")
    assert reps.input_value() == "10"
    reps.fill("5")
    reps.press("Tab")
    page.clock.run_for(5_000)
    assert (player(page)["phase"], player(page)["detail"]) == ("Breathe in", "Repetition 1 of 5")
    page.clock.run_for(4_000)
    assert (player(page)["phase"], player(page)["detail"]) == ("Breathe out", "Repetition 1 of 5")
    page.clock.run_for(4_000)
    assert (player(page)["phase"], player(page)["detail"]) == ("Breathe in", "Repetition 2 of 5")
    page.clock.run_for(4 * 8_000 - 1_000)
    assert (player(page)["phase"], player(page)["detail"]) == ("Breathe out", "Repetition 5 of 5")
    page.clock.run_for(1_000)
    assert player(page)["phase"] == "Get ready: Knee-to-Chest Stretch"


@phone_only
def test_pause_stops_the_clock_and_resume_carries_on(page, live_server):
    open_routine(page, live_server)
    start(page)
    page.clock.run_for(10_000)
    assert player(page)["count"] == "25"
    page.get_by_role("button", name="Pause").click()
    assert announced(page) == "Paused."
    page.clock.run_for(60_000)
    assert (player(page)["phase"], player(page)["count"]) == ("Hold", "25")
    page.get_by_role("button", name="Resume").click()
    assert announced(page) == "Resumed."
    page.clock.run_for(5_000)
    assert player(page)["count"] == "20"


@phone_only
def test_back_and_skip_move_through_the_routine(page, live_server):
    open_routine(page, live_server)
    start(page)
    skip(page, 3)
    assert player(page)["progress"] == "Stretch 4 of 7: Seated Spinal Twist"
    assert page.locator(".routine-item:visible").count() == 1
    assert page.locator(".routine-item:visible h2").inner_text() == "4. Seated Spinal Twist"
    page.get_by_role("button", name="Back").click()
    assert player(page)["progress"] == "Stretch 3 of 7: Knee-to-Chest Stretch"
    page.clock.run_for(7_000)
    page.get_by_role("button", name="Back").click()  # mid-stretch: its start again
    assert player(page)["phase"] == "Get ready: Knee-to-Chest Stretch"
    assert page.locator("progress").get_attribute("value") == "2"


@phone_only
def test_each_change_is_announced_politely(page, live_server):
    open_routine(page, live_server)
    region = page.locator("[data-announcer]")
    assert region.get_attribute("aria-live") == "polite"
    start(page)
    assert announced(page) == ("Stretch 1 of 7: Child’s Pose. Get ready. Starting in 5 seconds.")
    page.clock.run_for(5_000)
    assert announced(page) == "Hold for 30 seconds."
    skip(page)
    assert announced(page) == ("Stretch 2 of 7: Cat-Cow Stretch. Get ready. Starting in 5 seconds.")
    page.clock.run_for(5_000)
    assert announced(page) == "Repetition 1 of 10. Breathe in."


@phone_only
def test_the_routine_is_worked_with_the_keyboard_alone(page, live_server):
    open_routine(page, live_server)
    page.locator("#pain-before").focus()
    page.keyboard.press("Tab")  # the sound cue, off until chosen
    assert page.evaluate("document.activeElement.id") == "routine-sound"
    assert not page.locator("#routine-sound").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert player(page)["phase"] == "Get ready: Child’s Pose"
    assert page.evaluate("document.activeElement.textContent") == "Pause"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.textContent") == "Resume"


def test_every_control_is_at_least_44_pixels(page, live_server):
    open_routine(page, live_server)
    controls = "[data-routine-start] :is(button, input, select, a):visible"

    def too_small():
        boxes = [control.bounding_box() for control in page.locator(controls).all()]
        return len(boxes), [box for box in boxes if box["height"] < 44 or box["width"] < 44]

    assert too_small() == (3, [])  # pain rating, sound, start
    start(page)
    assert too_small() == (4, [])  # hold, back, pause, skip
    skip(page)
    assert too_small() == (4, [])  # repetitions, back, pause, skip
    skip(page, 6)
    assert too_small() == (3, [])  # pain rating, save, start again


def finish_routine(page, before, after):
    page.locator("#pain-before").select_option(str(before))
    start(page)
    skip(page, 7)
    assert page.get_by_role("heading", name="Routine complete").is_visible()
    page.locator("#pain-after").select_option(str(after))
    page.get_by_role("button", name="Save to my pain diary").click()


@phone_only
def test_the_diary_keeps_the_sessions_ratings_across_a_reload(page, live_server):
    open_routine(page, live_server)
    finish_routine(page, before=6, after=4)
    assert page.get_by_text("Saved in your pain diary on this device.").is_visible()
    page.goto(live_server.url + "/routine/diary/")
    page.reload()
    rows = page.locator(".diary-table tbody tr")
    assert rows.count() == 1
    assert rows.first.inner_text().split() == ["2026-11-29", "6", "4"]
    assert page.locator("rect[data-kind=before]").get_attribute("data-value") == "6"
    assert page.locator("rect[data-kind=after]").get_attribute("data-value") == "4"
    assert page.locator("[data-handover]").is_hidden()


@phone_only
def test_pain_worse_twice_in_a_row_brings_a_calm_prompt_to_book(page, live_server):
    open_routine(page, live_server)
    finish_routine(page, before=3, after=4)
    assert page.locator("[data-handover]").is_hidden()
    page.get_by_role("button", name="Start again").click()
    page.clock.run_for(1_000)
    skip(page, 7)
    page.locator("#pain-after").select_option("5")
    page.get_by_role("button", name="Save to my pain diary").click()
    prompt = page.locator("[data-handover]")
    assert prompt.is_visible()
    assert "Time to talk to the clinic" in prompt.inner_text()
    assert "worse after the routine than before it in your last two sessions" in prompt.inner_text()
    assert (
        prompt.get_by_role("link", name="Request a consultation").get_attribute("href")
        == "/consultation/"
    )


def seed_diary(page, live_server, sessions):
    page.goto(live_server.url + "/routine/diary/")
    page.evaluate(
        "([key, value]) => localStorage.setItem(key, value)", [DIARY_KEY, json.dumps(sessions)]
    )
    page.reload()
    page.wait_for_load_state("load")
    stop_clock(page)


@phone_only
def test_the_diary_exports_to_a_file_and_deletes(page, live_server):
    install_clock(page)
    seed_diary(page, live_server, [{"date": "2026-11-28", "before": 5, "after": 3}])
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my diary (CSV file)").click()
    assert download.value.suggested_filename == "pain-diary-2026-11-29.csv"
    with open(download.value.path(), encoding="utf-8", newline="") as exported:
        assert exported.read() == "date,pain before,pain after\r\n2026-11-28,5,3\r\n"
    page.get_by_role("button", name="Delete my diary").click()
    page.get_by_role("button", name="No, keep it").click()
    assert page.locator(".diary-table tbody tr").count() == 1
    page.get_by_role("button", name="Delete my diary").click()
    page.get_by_role("button", name="Yes, delete my diary").click()
    assert page.locator(".diary-table").count() == 0
    page.reload()
    assert page.evaluate(f"localStorage.getItem('{DIARY_KEY}')") is None
    assert page.get_by_text("No ratings yet.").is_visible()


@phone_only
def test_the_patient_adds_their_diary_to_a_request_seeing_exactly_what_is_sent(
    page, live_server, settings
):
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    install_clock(page)
    seed_diary(page, live_server, [{"date": "2026-11-29", "before": 9, "after": 8}])
    assert "8 or more out of 10" in page.locator("[data-handover]").inner_text()
    page.get_by_role("link", name="Add my diary to a consultation request").click()
    page.wait_for_url("**/consultation/?diary=1")
    page.wait_for_load_state("load")
    choice = page.get_by_label("Add a summary of my pain diary (kept on this device) to my request")
    assert choice.is_checked()
    preview = page.get_by_label("This is what will be sent from your pain diary")
    shown = preview.input_value()
    assert shown.splitlines()[1] == "2026-11-29: 9 → 8"
    choice.uncheck()
    assert preview.is_hidden() and preview.input_value() == ""
    choice.check()
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Email address").fill("ada@example.com")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("How long have you had this pain?").select_option(index=2)
    page.get_by_label("How bad is the pain at the moment, from 0 to 10?").select_option("8")
    page.get_by_label("Tell us about your back pain").fill("Stretching has not helped.")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_url("**/consultation/thanks/**")
    assert ConsultationRequest.objects.get().diary_summary == shown


def test_the_routine_loads_offline_after_a_first_visit(page, live_server):
    page.goto(live_server.url + "/routine/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.reload()
    assert page.locator("h1").inner_text() == "Your daily routine"
    # Its script came from the cache too: the player is built.
    start(page)
    assert player(page)["phase"] == "Get ready: Child’s Pose"
    page.context.set_offline(False)


@pytest.mark.parametrize("path", ["/routine/", "/routine/diary/", "/routine/print/"])
def test_the_routine_pages_are_accessible(page, live_server, assert_accessible, screenshot, path):
    install_clock(page)
    if path == "/routine/diary/":
        seed_diary(
            page,
            live_server,
            [
                {"date": "2026-11-27", "before": 6, "after": 5},
                {"date": "2026-11-28", "before": 5, "after": 6},
                {"date": "2026-11-29", "before": 8, "after": 9},
            ],
        )
    else:
        page.goto(live_server.url + path)
    page.wait_for_load_state("load")
    page.clock.resume()  # axe-core waits on timers of its own
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert_accessible()
    name = "routine-" + (path.strip("/").split("/")[-1])
    screenshot(name)
    if path == "/routine/":
        start(page)
        page.clock.run_for(6_000)
        assert_accessible()
        screenshot("routine-playing")


@phone_only
@pytest.mark.parametrize(
    ("motion", "animation"), [("reduce", "none"), ("no-preference", "routine-in")]
)
def test_the_routine_moves_only_for_those_who_want_motion(page, live_server, motion, animation):
    page.emulate_media(reduced_motion=motion)
    open_routine(page, live_server)
    start(page)
    shown = page.locator(".routine-item:visible")
    assert shown.evaluate("item => getComputedStyle(item).animationName") == animation
