"""schema.org data for search engines, rendered as JSON-LD: an `Article` for a
guide and a `HowTo` (its steps and hold time) for each stretch."""

from clinic.page_urls import page_url
from clinic.site_address import absolute_url


def _organization(site):
    organization = {
        "@type": "MedicalClinic",
        "name": site.clinic_name,
        "url": absolute_url(page_url("stretches:home")),
    }
    if site.logo:
        organization["logo"] = absolute_url(site.logo.url)
    return organization


def _duration(seconds):
    return f"PT{seconds}S"


def how_to(stretch, *, with_context=True):
    data = {
        "@type": "HowTo",
        "name": stretch.title,
        "description": stretch.benefit,
        "url": absolute_url(stretch.get_absolute_url()),
        "step": [
            {"@type": "HowToStep", "position": position, "text": step.text}
            for position, step in enumerate(stretch.steps.all(), start=1)
        ],
        "keywords": ", ".join(keyword.name for keyword in stretch.ordered_keywords()),
    }
    if stretch.guidance:
        data["description"] += f" {stretch.guidance}."
    if stretch.hold_seconds:
        # How long the position is held; schema.org has no range, so the longest hold.
        data["performTime"] = _duration(stretch.hold_seconds)
    if stretch.picture:
        data["image"] = absolute_url(stretch.picture["src"])
    if with_context:
        data = {"@context": "https://schema.org", **data}
    return data


def article(guide, site, *, url):
    stretches = [placement.stretch for placement in guide.guide_stretches.all()]
    organization = _organization(site)
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": guide.title,
        "description": guide.summary or guide.title,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": guide.created_at.isoformat(),
        "dateModified": guide.updated_at.isoformat(),
        "author": organization,
        "publisher": organization,
        "inLanguage": "en-GB",
        "hasPart": [how_to(stretch, with_context=False) for stretch in stretches],
    }
    keywords = dict.fromkeys(k.name for s in stretches for k in s.ordered_keywords())
    if keywords:
        data["keywords"] = ", ".join(keywords)
    return data
