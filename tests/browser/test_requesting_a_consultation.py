"""The patient's whole journey, as the issue tells it: read the article, open
a stretch, follow its "Request Consultation" link, see the stretch filled in,
send the form with the keyboard alone, land on the thanks page; then staff
find the request in the admin. And a mistake in the form is announced and
tied to its field.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.staff import authenticator_of, sign_in_in_browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STRETCH = {"slug": "knee-to-chest-stretch", "title": "Knee-to-Chest Stretch"}
PATIENT = {
    "full_name": "Alex Patient",
    "email": "alex.patient@example.com",
    "phone": "07911 123456",
    "description": "Lower back pain for three weeks, worse after sitting.",
}


@pytest.fixture
def consultation_url(settings):
    # A keyboard driven by Playwright fills the form faster than any person:
    # let it past the form's minimum fill time, which is tested on its own.
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    return reverse("consultations:request")


def focused(page, attribute):
    return page.evaluate(f"document.activeElement.getAttribute('{attribute}')")


def stretch_is_filled_in(page):
    """The stretch is the value of a field (a chosen option, a hidden input)
    or shown as text in the form's page."""
    in_a_field = page.evaluate(
        """([slug, title]) => [...document.querySelectorAll("main input, main select")].some(
            field => field.value === slug || [...(field.selectedOptions || [])].some(
                option => option.text.includes(title)))""",
        [STRETCH["slug"], STRETCH["title"]],
    )
    shown = page.locator("main").get_by_text(STRETCH["title"]).first
    return in_a_field or (shown.count() > 0 and shown.is_visible())


def tab_to(page, selector, limit=80):
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def send_the_form_with_the_keyboard(page, **changes):
    """Fill in the form and send it with the keyboard alone: Tab to each
    field, type, arrow keys for the radio buttons, Space to tick, Enter to send."""
    for name, value in (PATIENT | changes).items():
        tab_to(page, f"[name={name}]")
        page.keyboard.type(value)
    tab_to(page, "[name=preferred_contact]")
    while focused(page, "value") != "email":
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    tab_to(page, "[name=pain_duration_weeks]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    tab_to(page, "[name=pain_intensity]")
    if focused(page, "type") == "range":
        for _ in range(6):
            page.keyboard.press("ArrowRight")
    else:
        page.keyboard.type("6")
    tab_to(page, "[name=consent]")
    page.keyboard.press("Space")
    tab_to(page, "[type=submit]")
    page.keyboard.press("Enter")


def test_patient_requests_a_consultation_from_a_stretch_with_the_keyboard_only(
    page, live_server, consultation_url, assert_accessible, screenshot, django_user_model
):
    # Read the article, then open a stretch from it.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=f"3. {STRETCH['title']}").click()
    page.wait_for_url(f"**/stretches/{STRETCH['slug']}/")

    # Its call to action opens the booking; asking for a call instead opens
    # the form with the stretch filled in.
    page.locator("main").get_by_role("link", name="Request Consultation").click()
    page.wait_for_url(f"**/book/?stretch={STRETCH['slug']}")
    page.get_by_role("link", name="I would rather the clinic called me").click()
    page.wait_for_url(f"**{consultation_url}?stretch={STRETCH['slug']}")
    assert page.locator("h1").count() == 1
    assert stretch_is_filled_in(page), "the form does not show the stretch it came from"
    assert_accessible()
    screenshot("consultation")

    send_the_form_with_the_keyboard(page)

    page.wait_for_url(f"**{reverse('consultations:thanks')}")
    assert page.locator("h1").count() == 1
    assert "What happens next" in page.locator("main").inner_text()
    assert_accessible()
    screenshot("consultation-thanks")

    # Staff find the request in the admin.
    staff = django_user_model.objects.create_superuser(
        "staff", "staff@example.com", "a-long-password-1"
    )
    authenticator_of(staff)
    sign_in_in_browser(page, live_server.url, "staff", "a-long-password-1")
    # The first of the consultations app's models: its list of requests.
    page.locator("#content-main .app-consultations th[scope=row] a").first.click()
    expect(page.locator("#result_list")).to_contain_text(PATIENT["full_name"])
    page.get_by_role("link", name=PATIENT["full_name"]).click()
    # The click does not wait for the request's page to load: these do.
    details = page.locator("#content-main")
    expect(details).to_contain_text(STRETCH["title"])
    expect(details).to_contain_text("+447911123456")


def test_a_mistake_is_announced_and_tied_to_its_field(
    page, live_server, consultation_url, assert_accessible, screenshot
):
    # An address the browser accepts but the clinic's form does not.
    page.goto(live_server.url + consultation_url)
    send_the_form_with_the_keyboard(page, email="alex.patient@example")

    email = page.locator("[name=email]")
    # Waits for the page the site answers: Enter starts the navigation, which
    # "load" of the form already shown does not wait for.
    expect(email).to_have_attribute("aria-invalid", "true")
    messages = [
        page.locator(f"#{element_id}").inner_text()
        for element_id in (email.get_attribute("aria-describedby") or "").split()
    ]
    assert any("email" in message.lower() for message in messages), messages
    assert page.locator("[role=alert]").count() == 1, "the errors are not announced"
    assert_accessible()
    screenshot("consultation-errors")


def test_ticking_a_warning_sign_shows_the_advice_at_once(
    page, live_server, consultation_url, assert_accessible, screenshot
):
    page.goto(live_server.url + consultation_url)
    emergency = page.locator("[data-advice=emergency]")
    urgent = page.locator("[data-advice=urgent]")
    assert not emergency.is_visible() and not urgent.is_visible()

    # "Discuss soon" signs raise no alarm: no advice at all appears.
    page.locator("[name=discuss_soon_signs][value=upper_back]").check()
    assert page.locator("[data-advice]:visible").count() == 0

    page.locator("[name=urgent_signs][value=fever]").check()
    assert urgent.is_visible() and not emergency.is_visible()

    page.locator("[name=emergency_signs][value=bladder]").check()
    assert emergency.is_visible()
    assert "call 999" in emergency.inner_text()
    # The advice stands right after the questions, before anything else is asked.
    advice_top = emergency.bounding_box()["y"]
    assert advice_top < page.locator("[name=full_name]").bounding_box()["y"]
    assert_accessible()
    screenshot("consultation-warning-signs")

    page.locator("[name=emergency_signs][value=bladder]").uncheck()
    page.locator("[name=urgent_signs][value=fever]").uncheck()
    assert not emergency.is_visible() and not urgent.is_visible()
