"""The clinic's article, as loaded by the data migration, is on the site word
for word: checked against the text scraped from the clinic's live page."""

from pathlib import Path

import pytest

from stretches.models import Guide, Keyword, Stretch
from tests.page_text import visible_text

SCRAPED = Path(__file__).parent / "data" / "clinic_article_scraped.txt"
FOOTER_START = "Follow us on social media!"

pytestmark = pytest.mark.django_db


def article_lines():
    """The article's lines, once: the scrape repeats the article after the
    page's footer."""
    lines = SCRAPED.read_text(encoding="utf-8").splitlines()
    article = lines[: lines.index(FOOTER_START)]
    return [line.removeprefix("•").strip() for line in article if line.strip()]


def scraped_stretches():
    """(title, steps, keywords) for each numbered stretch in the article."""
    lines, stretches = article_lines(), []
    for index, line in enumerate(lines):
        number, _, title = line.partition(". ")
        if not number.isdigit():
            continue
        steps_start = lines.index("How to Do It:", index) + 1
        keywords_at = next(
            i for i in range(steps_start, len(lines)) if lines[i].startswith("Keywords: ")
        )
        keywords = lines[keywords_at].removeprefix("Keywords: ").split(", ")
        stretches.append((title, lines[steps_start:keywords_at], keywords))
    return stretches


def test_the_scrape_holds_the_article_once_before_its_footer():
    assert len(article_lines()) == 75
    assert len(scraped_stretches()) == 7


def test_every_line_of_the_article_is_on_the_home_page_in_order(client):
    page = visible_text(client.get("/").content.decode())
    position = 0
    for line in article_lines():
        found = page.find(line, position)
        assert found != -1, f"missing or out of order on /: {line!r}"
        position = found + len(line)


def test_the_article_keeps_its_typographic_apostrophes_and_quotes(client):
    html = client.get("/").content.decode()
    assert "Child’s Pose" in html
    assert "forming a “4” shape" in html
    assert "it’s an effective way" in html


def test_each_stretch_has_its_own_steps_in_order():
    for position, (title, steps, _) in enumerate(scraped_stretches(), start=1):
        stretch = Stretch.objects.get(title=title)
        assert stretch.position == position
        assert [step.text for step in stretch.steps.all()] == steps


def test_each_stretch_page_shows_only_its_own_steps(client):
    stretches = scraped_stretches()
    for title, steps, _ in stretches:
        page = visible_text(
            client.get(Stretch.objects.get(title=title).get_absolute_url()).content.decode()
        )
        for step in steps:
            assert step in page
        other_steps = {
            s for other, other_steps_, _ in stretches if other != title for s in other_steps_
        }
        for step in other_steps - set(steps):
            assert step not in page


def test_keywords_are_shared_between_stretches_not_duplicated():
    names = {name for _, _, keywords in scraped_stretches() for name in keywords}
    assert len(names) == 9
    assert set(Keyword.objects.values_list("name", flat=True)) == names
    assert Keyword.objects.get(name="lower back pain relief").stretches.count() == 4


def test_each_stretch_keeps_its_keywords_in_the_articles_order():
    for title, _, keywords in scraped_stretches():
        stretch = Stretch.objects.get(title=title)
        assert [keyword.name for keyword in stretch.ordered_keywords()] == keywords


def test_the_article_is_the_home_page_guide_with_its_tips():
    guide = Guide.objects.homepage()
    assert [link.stretch.title for link in guide.guide_stretches.all()] == [
        title for title, _, _ in scraped_stretches()
    ]
    tips = guide.sections.get(heading="Tips for Effective Stretching").points.all()
    assert [tip.lead_in for tip in tips] == [
        "Warm Up First:",
        "Be Consistent:",
        "Listen to Your Body:",
        "Combine with Other Techniques:",
    ]


def test_hold_and_repeat_guidance_is_stored_as_numbers():
    cat_cow = Stretch.objects.get(slug="cat-cow-stretch")
    assert (cat_cow.repeat_min, cat_cow.repeat_max, cat_cow.hold_min_seconds) == (5, 10, None)
    knee = Stretch.objects.get(slug="knee-to-chest-stretch")
    assert (knee.hold_min_seconds, knee.hold_max_seconds, knee.each_side) == (20, 30, True)
    assert knee.guidance == "Hold 20–30 seconds, each side"
    assert Stretch.objects.get(slug="cobra-stretch").guidance == "Hold 10–20 seconds"
