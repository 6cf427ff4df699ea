"""The guided daily routine built from a guide's stretches: the player page
(a plain list without JavaScript), the pain diary page, the printable sheet,
and what makes the routine work offline and installable (the service worker
and the web app manifest)."""

import io
import json
from pathlib import Path

import qrcode
import qrcode.image.svg
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse

from clinic.models import ContentVersion, SiteSettings
from clinic.page_cache import release
from clinic.site_address import absolute_url

from . import guide_content
from .models import Guide

# What the service worker keeps for offline use, besides the routine pages.
OFFLINE_STATIC_FILES = [
    "css/site.css",
    "css/routine.css",
    "js/routine.js",
    "js/diary-rules.js",
    "js/diary.js",
    "img/logo.svg",
]
APP_ICON_SIZES = [192, 512]
# Not a static file: it only works with the constants this module puts above it.
SERVICE_WORKER_SOURCE = Path(__file__).with_name("service-worker.js")


def _routine_guide(slug=None):
    if slug is None:
        guide = guide_content.homepage()
        if guide is None:
            raise Http404("No guide yet.")
    else:
        guide = get_object_or_404(Guide.objects.published(), slug=slug)
    guide_content.load_routine(guide)
    return guide


def _placements(guide):
    """The guide's published stretches, in its order (prefetched)."""
    return list(guide.guide_stretches.all())


def routine_url(guide):
    return guide.get_routine_url()


def routine(request, slug=None):
    """One guide's stretches as a guided, timed routine (the player is built
    over the plain list by static/js/routine.js)."""
    guide = _routine_guide(slug)
    placements = _placements(guide)
    plans = [
        {
            "slug": placement.stretch.slug,
            "title": placement.stretch.title,
            **placement.stretch.timer_plan(),
        }
        for placement in placements
    ]
    return render(
        request,
        "stretches/routine/routine.html",
        {
            "guide": guide,
            "placements": placements,
            "plans": plans,
            "canonical_url": absolute_url(routine_url(guide)),
        },
    )


def diary(request):
    """The pain diary: kept in the browser only, drawn by static/js/diary.js."""
    return render(request, "stretches/routine/diary.html")


def print_sheet(request):
    """One printable page: each stretch with its dose, a 14-day tick grid and
    a QR code back to the routine."""
    guide = _routine_guide()
    address = absolute_url(reverse("stretches:routine"))
    return render(
        request,
        "stretches/routine/print.html",
        {
            "guide": guide,
            "placements": _placements(guide),
            "routine_address": address,
            "qr_code_svg": qr_code_svg(address),
            "days": range(1, 15),
        },
    )


def qr_code_svg(text):
    """`text` as an inline SVG QR code, drawn here: no outside service."""
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    # Drop the XML declaration: the SVG goes inside the page's HTML.
    return svg[svg.index("<svg") :]


def service_worker(request):
    """The service worker, at the site's root so that it may control
    /routine/. Its version is the content version and the release, so any
    staff edit or deploy makes the browser install it afresh (and drop the
    old cache) the next time the patient is online."""
    version = f"{ContentVersion.current()}-{release()}"
    pages = [reverse("stretches:routine"), reverse("stretches:routine_diary")]
    body = (
        f"const VERSION = {json.dumps(version)};\n"
        f"const PRECACHE = {json.dumps(pages + [static(name) for name in OFFLINE_STATIC_FILES])};\n"
        f"const ROUTINE_PREFIXES = {json.dumps(_routine_prefixes())};\n"
        f"const STATIC_PREFIX = {json.dumps(static(''))};\n"
    )
    body += SERVICE_WORKER_SOURCE.read_text(encoding="utf-8")
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def _routine_prefixes():
    return [reverse("stretches:routine"), reverse("stretches:guide", kwargs={"slug": "x"})[:-2]]


def manifest(request):
    """The web app manifest: the site installs to a phone's home screen and
    opens at the routine."""
    data = {
        "name": f"{SiteSettings.current(request).clinic_name}: daily routine",
        "short_name": "Routine",
        "description": "A guided daily stretch routine and pain diary.",
        "start_url": reverse("stretches:routine"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0d5c63",
        "icons": [
            {
                "src": static(f"img/icons/app-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in APP_ICON_SIZES
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")
