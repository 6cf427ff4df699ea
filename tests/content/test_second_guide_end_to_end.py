"""A second guide, made and looked after entirely in the admin by real staff:
a content editor creates "Stretches for neck pain" from two of the article's
stretches, drafts a change and previews it, a clinical reviewer reviews it,
the editor publishes it (its page, the guides page, the sitemap and its own
routine show it; the article stays at `/`), then edits it and reverts the
edit from the history page."""

import re

import pytest
from django.urls import reverse

from stretches.models import Guide, GuideSection, Stretch
from tests.content.helpers import clinical_reviewer
from tests.page_text import visible_text
from tests.staff import staff_in

pytestmark = pytest.mark.django_db

GUIDES = reverse("admin:stretches_guide_changelist")
ADD_GUIDE = reverse("admin:stretches_guide_add")
LIVE = "/guides/stretches-for-neck-pain/"
ROUTINE = "/guides/stretches-for-neck-pain/routine/"
FIRST_WORDING = "Your neck carries your head all day."
DRAFT_WORDING = "Your neck holds up about five kilograms all day."
EDITED_WORDING = "Necks get stiff from looking down at phones."


def signed_in(client, user):
    """Signed in at the admin's sign-in page: staff who cannot see patient
    data need only their password."""
    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": "pw-for-tests-only"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def text_of(client, path):
    response = client.get(path)
    return response.status_code, visible_text(response.content.decode())


def inline_prefixes(add_page):
    """The inline formsets' prefixes, as the admin's add page names them."""
    return re.findall(r'name="([\w-]+)-TOTAL_FORMS"', add_page)


def change_form(guide, *, intro, **changes):
    """The guide's admin change form as the browser posts it, with the first
    section's wording replaced by `intro`."""
    sections = list(guide.sections.all())
    placements = list(guide.guide_stretches.all())
    data = {
        "title": guide.title,
        "slug": guide.slug,
        "summary": guide.summary,
        "review_every_months": guide.review_every_months,
        "sections-TOTAL_FORMS": len(sections),
        "sections-INITIAL_FORMS": len(sections),
        "guide_stretches-TOTAL_FORMS": len(placements),
        "guide_stretches-INITIAL_FORMS": len(placements),
    }
    if guide.published:
        data["published"] = "on"
    for index, section in enumerate(sections):
        data |= {
            f"sections-{index}-id": section.pk,
            f"sections-{index}-guide": guide.pk,
            f"sections-{index}-position": section.position,
            f"sections-{index}-kind": section.kind,
            f"sections-{index}-heading": section.heading,
            f"sections-{index}-body": intro if index == 0 else section.body,
            f"sections-{index}-closing": section.closing,
        }
    for index, placement in enumerate(placements):
        data |= {
            f"guide_stretches-{index}-id": placement.pk,
            f"guide_stretches-{index}-guide": guide.pk,
            f"guide_stretches-{index}-position": placement.position,
            f"guide_stretches-{index}-stretch": placement.stretch_id,
        }
    return data | changes


def test_a_second_guide_goes_from_creation_to_revert_through_the_admin(client):
    editor = signed_in(client, staff_in("Content editors", username="edith"))
    reviewer = signed_in(client.__class__(), clinical_reviewer())
    visitor = client.__class__()
    article_title = Guide.objects.homepage().title
    cobra = Stretch.objects.get(slug="cobra-stretch")
    childs_pose = Stretch.objects.get(slug="childs-pose")

    # The editor creates the guide, not yet published, in the add form.
    add_page = editor.get(ADD_GUIDE)
    assert add_page.status_code == 200
    assert inline_prefixes(add_page.content.decode()) == ["sections", "guide_stretches"]
    response = editor.post(
        ADD_GUIDE,
        {
            "title": "Stretches for neck pain",
            "slug": "stretches-for-neck-pain",
            "summary": "Gentle stretches for a stiff, sore neck.",
            "review_every_months": 12,
            "sections-TOTAL_FORMS": 2,
            "sections-INITIAL_FORMS": 0,
            "sections-0-position": 1,
            "sections-0-kind": "text",
            "sections-0-heading": "Why necks hurt",
            "sections-0-body": FIRST_WORDING,
            "sections-0-closing": "",
            "sections-1-position": 2,
            "sections-1-kind": "stretches",
            "sections-1-heading": "The stretches",
            "sections-1-body": "",
            "sections-1-closing": "",
            "guide_stretches-TOTAL_FORMS": 2,
            "guide_stretches-INITIAL_FORMS": 0,
            "guide_stretches-0-position": 1,
            "guide_stretches-0-stretch": cobra.pk,
            "guide_stretches-1-position": 2,
            "guide_stretches-1-stretch": childs_pose.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    guide = Guide.objects.get(slug="stretches-for-neck-pain")
    assert [p.stretch for p in guide.guide_stretches.all()] == [cobra, childs_pose]
    assert [s.kind for s in guide.sections.all()] == [GuideSection.Kind.TEXT, "stretches"]
    assert visitor.get(LIVE).status_code == 404
    assert "Stretches for neck pain" not in text_of(visitor, "/guides/")[1]

    # A change, with publishing ticked, saved as a draft: nothing goes live.
    change_url = reverse("admin:stretches_guide_change", args=[guide.pk])
    response = editor.post(
        change_url,
        change_form(guide, intro=DRAFT_WORDING, published="on", _save_draft="1"),
        follow=True,
    )
    assert "Saved as a draft. The live page is unchanged." in response.content.decode()
    assert visitor.get(LIVE).status_code == 404
    guide.refresh_from_db()
    assert not guide.published
    assert guide.sections.first().body == FIRST_WORDING

    # The preview, linked from the change form, shows the draft and is never cached.
    change_page = editor.get(change_url).content.decode()
    preview_url = re.search(r'href="(/preview/[^"]+/)"', change_page).group(1)
    preview = editor.get(preview_url)
    assert preview.status_code == 200
    assert preview["Cache-Control"] == "private, no-store"
    shown = visible_text(preview.content.decode())
    assert DRAFT_WORDING in shown and "Cobra Stretch" in shown
    assert visitor.get(LIVE).status_code == 404
    assert DRAFT_WORDING not in text_of(visitor, "/guides/")[1]

    # The clinical reviewer marks it reviewed from the guides' list.
    response = reviewer.post(
        GUIDES, {"action": "mark_clinically_reviewed", "_selected_action": [guide.pk]}
    )
    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.reviewed_by.startswith("Amira Jones") and not guide.awaiting_clinical_review

    # The editor publishes the draft: the guide is on the site, in its places.
    publish_url = reverse("admin:stretches_guide_publish_draft", args=[guide.pk])
    assert editor.post(publish_url).status_code == 302
    guide.refresh_from_db()
    # The review is kept, and the draft's new wording awaits the next one.
    assert guide.published and guide.reviewed_by.startswith("Amira Jones")
    assert guide.awaiting_clinical_review
    status, page = text_of(visitor, LIVE)
    assert status == 200
    assert "Stretches for neck pain" in page and DRAFT_WORDING in page
    assert FIRST_WORDING not in page
    assert "Start the guided routine" in page
    assert "1. Cobra Stretch" in page and "2. Child’s Pose" in page
    guides_page = visitor.get("/guides/").content.decode()
    assert f'href="{LIVE}"' in guides_page and f'href="{ROUTINE}"' in guides_page
    assert "Gentle stretches for a stiff, sore neck." in visible_text(guides_page)
    assert article_title in visible_text(guides_page)
    sitemap = visitor.get("/sitemap.xml").content.decode()
    assert f"{LIVE}</loc>" in sitemap and "/guides/</loc>" in sitemap
    status, routine = text_of(visitor, ROUTINE)
    assert status == 200
    assert routine.index("Cobra Stretch") < routine.index("Child’s Pose")
    assert "Knee-to-Chest" not in routine
    status, home = text_of(visitor, "/")
    assert status == 200 and article_title in home and DRAFT_WORDING not in home

    # An edit goes live at once; reverting it from the history page undoes it at once.
    guide.refresh_from_db()
    assert editor.post(change_url, change_form(guide, intro=EDITED_WORDING)).status_code == 302
    assert EDITED_WORDING in text_of(visitor, LIVE)[1]
    history = editor.get(reverse("admin:stretches_guide_history", args=[guide.pk]))
    compare_url = re.search(r'action="([^"]+/history/compare/)"', history.content.decode())
    versions = re.findall(
        r'<option value="(\d+)"', history.content.decode().split('id="compare-to"')[0]
    )
    newest, before_edit = versions[0], versions[1]
    comparison = editor.get(compare_url.group(1), {"from": before_edit, "to": newest})
    assert EDITED_WORDING in visible_text(comparison.content.decode())
    revert_url = re.search(r'action="([^"]+/revert/)"', comparison.content.decode()).group(1)
    assert editor.post(revert_url).status_code == 302
    page = text_of(visitor, LIVE)[1]
    assert DRAFT_WORDING in page and EDITED_WORDING not in page
