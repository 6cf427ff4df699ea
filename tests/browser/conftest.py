"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium)
against pytest-django's live server, and axe-core checks each page.

- The live server needs a transactional database, which is emptied after
  each test. The clinic's article comes from a data migration, so the tests
  use `@pytest.mark.django_db(transaction=True, serialized_rollback=True)`:
  pytest-django then serializes the test database once it is migrated, and
  Django reloads it before each such test. pytest-django runs transactional
  tests after all others, so the tests that expect the article are not
  affected by the emptied tables.
- Django keeps database connections per context, and Playwright's sync API
  runs the test in a context of its own: once the browser has started, the
  test sees a new connection object without the serialized data, and Django's
  reload silently does nothing (and the emptied tables get Django's default
  rows back, not the article). `migrated_data` takes the serialized data
  before the browser starts, and `browser` hands it to the connection that
  the tests see once it has started.
- Playwright's sync API runs an event loop in the test's thread, where Django
  refuses synchronous database calls unless DJANGO_ALLOW_ASYNC_UNSAFE is set.
  Only the tests' own fixtures and assertions touch the database from that
  thread; the server runs in its own.
- Playwright never downloads a browser here: `playwright install` is not run,
  and the launch names Debian's Chromium.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import sync_playwright

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Without these Chromium calls home at start-up, which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def migrated_data(django_db_setup, django_db_blocker):
    """The test database as migrated (the article included), serialized by
    pytest-django for `serialized_rollback`."""
    from django.db import connection

    with django_db_blocker.unblock():
        return connection._test_serialized_contents


@pytest.fixture(scope="session")
def browser(migrated_data):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: run `make browser-deps` (apt-get chromium).")
    if not AXE.exists():
        pytest.fail(f"No axe-core at {AXE}: run `npm ci` (or `make test`).")
    with sync_playwright() as playwright:
        from django.db import connection

        # The test now sees the connection of Playwright's context: hand it the data.
        connection._test_serialized_contents = migrated_data
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def page(browser, live_server, viewport):
    """A fresh browser tab at the viewport's size. It fails the test if the
    page asks for anything outside the site: no third-party requests."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-GB")
    page = context.new_page()
    outside = []

    def record(request):
        if not request.url.startswith((live_server.url, "data:", "blob:", "about:")):
            outside.append(request.url)

    page.on("request", record)
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert not outside, f"requests outside the site: {outside}"


@pytest.fixture
def screenshot(page, viewport):
    """Save a full-page screenshot under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name):
        page.screenshot(path=SCREENSHOTS / f"{name}-{viewport}.png", full_page=True)

    return take


FINITE_ANIMATIONS_FINISHED = """
Promise.all(
  document.getAnimations()
    .filter(animation => animation.effect
      && animation.effect.getComputedTiming().endTime !== Infinity)
    .map(animation => animation.finished.catch(() => null))
)
"""


@pytest.fixture
def assert_accessible(page):
    """Run axe-core's WCAG 2.1 A and AA rules on the current page; fail with
    a readable list of the violations."""

    def check():
        # Evaluated through the DevTools protocol: an injected <script> tag
        # would be (rightly) blocked by the site's self-only CSP.
        page.evaluate(AXE.read_text(encoding="utf-8"))
        # A fade-in still running (the routine's cards) would be judged
        # half-transparent: wait until every finite animation has ended.
        page.evaluate(FINITE_ANIMATIONS_FINISHED)
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
        )
        violations = results["violations"]
        assert not violations, f"axe-core found on {page.url}:\n" + "\n".join(
            _describe(violation) for violation in violations
        )

    return check


def _describe(violation):
    """One violation: its rule, then each offending element with what to fix."""
    lines = [f"  - {violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"][:10]:
        # "Fix any of the following:", then the fixes: show the first.
        summary = (node.get("failureSummary") or "").strip().splitlines()
        fix = summary[1] if len(summary) > 1 else "".join(summary)
        lines.append(f"      {' '.join(node['target'])}: {fix.strip()}")
        lines.append(f"        {node['html'][:200]}")
    return "\n".join(lines)


@pytest.fixture
def sample_clinic(settings):
    """The sample practice `make run` loads: clinicians, places, types, hours."""
    settings.BOOKING_HOLD_MINUTES = 10
    settings.BOOKING_CHANGE_CUTOFF_HOURS = 24
    call_command("load_sample_clinic", stdout=io.StringIO())
