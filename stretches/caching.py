"""Public pages are rendered once per content version and then served from the
cache, already compressed, until staff change something.

Every request reads the content version (one primary-key query), so no process
and no cache can serve a page older than the latest save: the version is part
of the cache key and of the ETag. Browsers revalidate every time
(`Cache-Control: no-cache`) and get a 304 while nothing has changed.

The version changes on every save or delete of a model that public pages show
(signals, connected in `StretchesConfig.ready`), whichever form, admin inline
or script made it. Bulk writes (`QuerySet.update`, `bulk_create`) send no
signals: code that makes them calls `ContentVersion.bump()` itself.
"""

import functools
import gzip
import hashlib
import re
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.text import compress_string

from clinic.models import SiteSettings

from . import models
from .models import ContentVersion

# Everything a public page shows: the content, and the clinic's name, logo and
# social links in every page's header and footer.
CONTENT_MODELS = [
    SiteSettings,
    models.Guide,
    models.GuideSection,
    models.SectionPoint,
    models.GuideStretch,
    models.Stretch,
    models.Step,
    models.Keyword,
    models.StretchKeyword,
]

ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as GZipMiddleware tests it

# Long enough to outlive any version, short enough that a full cache empties.
PAGE_TIMEOUT = 24 * 60 * 60


def content_changed(**kwargs):
    ContentVersion.bump()


def connect_signals(app_config):
    for model in CONTENT_MODELS:
        post_save.connect(content_changed, sender=model, dispatch_uid=f"content-save-{model}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"content-del-{model}")
        # Through models: `stretch.keywords.add(...)` sends only m2m_changed.
        m2m_changed.connect(content_changed, sender=model, dispatch_uid=f"content-m2m-{model}")
    # Data migrations use historical models, which send no signals.
    post_migrate.connect(content_changed, sender=app_config, dispatch_uid="content-migrate")


@functools.cache
def release():
    """A digest of what shapes a page besides the content: the project's
    templates and code, the hashed static file names and the clinic's name. A
    deploy that changes them must not be answered with pages or 304s from
    before it, even from a cache (Redis) that outlives the deploy."""
    digest = hashlib.blake2b(settings.CLINIC_NAME.encode(), digest_size=6)
    project = Path(settings.BASE_DIR)
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    folders += [
        Path(app.path) for app in apps.get_app_configs() if Path(app.path).is_relative_to(project)
    ]
    folders.append(Path(find_spec(settings.ROOT_URLCONF).origin).parent)  # clinic/
    files = sorted(
        path
        for folder in folders
        for pattern in ("*.html", "*.py")
        for path in folder.rglob(pattern)
    )
    for path in [*files, Path(settings.STATIC_ROOT) / "staticfiles.json"]:
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_public_page(view):
    """Serve a read-only page from the cache for the current content version,
    answering 304 to a browser that already has it.

    Only for pages that look the same to every visitor: a response that sets
    a cookie or varies on one (a CSRF token, a message) is passed through
    uncached. Off with DEBUG, where templates change under a running server,
    and with PAGE_CACHE=0 (the benchmark's "render every time" runs).
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _enabled(request):
            return view(request, *args, **kwargs)
        etag, key = _page_key(request)
        not_modified = _not_modified(request, etag)
        if not_modified is not None:
            return not_modified
        page = cache.get(key)
        if page is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            if not _same_for_everyone(response):
                return response
            # No random padding (Django's BREACH mitigation): these pages hold
            # no secret, and the same bytes every time keep the ETag honest.
            page = (response["Content-Type"], compress_string(response.content), None)
            cache.set(key, page, PAGE_TIMEOUT)
        response = _page_response(request.META, page, etag)
        response.cached_page = (key, page)  # for PageCacheMiddleware
        return response

    return wrapper


class PageCacheMiddleware:
    """Serves cached pages ahead of the session, CSRF, authentication,
    messages and clickjacking middleware, which have nothing to do for a page
    that is the same for everyone: what they added to it when it was first
    served (X-Frame-Options) is stored with it and sent again.

    It only looks up paths that this process has seen `cached_public_page`
    serve, so every other request costs it one set lookup; it checks the host
    against ALLOWED_HOSTS as CommonMiddleware would."""

    MAX_PATHS = 10_000  # query strings are the visitor's to vary

    def __init__(self, get_response):
        self.get_response = get_response
        self.page_paths = set()

    def __call__(self, request):
        target = _target(request)
        if target in self.page_paths and _enabled(request):
            request.get_host()
            try:
                etag, key = _page_key(request)
            except DatabaseError:
                # Let the view meet the outage, where it becomes the "please
                # try again" page (clinic.middleware.DatabaseUnavailableMiddleware).
                return self.get_response(request)
            not_modified = _not_modified(request, etag)
            if not_modified is not None:
                return not_modified
            page = cache.get(key)
            if page is not None and page[2] is not None:
                return _page_response(request.META, page, etag)
        response = self.get_response(request)
        cached_page = getattr(response, "cached_page", None)
        if cached_page is None:
            self.page_paths.discard(target)
        else:
            key, (content_type, body, replayed) = cached_page
            if replayed is None:
                replayed = {
                    header: value
                    for header, value in response.items()
                    if header.lower() not in NOT_REPLAYED
                }
                cache.set(key, (content_type, body, replayed), PAGE_TIMEOUT)
            if len(self.page_paths) < self.MAX_PATHS:
                self.page_paths.add(target)
        return response


# Headers a cached page gets afresh rather than from the stored copy.
NOT_REPLAYED = {
    "content-type",
    "content-length",
    "content-encoding",
    "etag",
    "vary",
    "cache-control",
    "set-cookie",
    "date",
}


def _enabled(request):
    return not settings.DEBUG and settings.PAGE_CACHE and request.method in ("GET", "HEAD")


def _target(request):
    return f"{request.path_info}?{request.META.get('QUERY_STRING', '')}"


def _page_key(request):
    """The page's ETag and cache key at the current content version, read
    once per request and before anything is rendered: a version read after
    rendering could label a page from before a change with the version after
    it."""
    version = getattr(request, "content_version", None)
    if version is None:
        version = request.content_version = f"{ContentVersion.current()}-{release()}"
    digest = hashlib.blake2b(_target(request).encode(), digest_size=16).hexdigest()
    return f'"{version}"', f"page:{version}:{digest}"


def _not_modified(request, etag):
    meta = request.META
    if "HTTP_IF_NONE_MATCH" not in meta and "HTTP_IF_MATCH" not in meta:
        return None
    response = get_conditional_response(request, etag=etag)
    if response is not None:
        # A 304 repeats the validators and caching rules of the 200.
        for header, value in _page_headers(etag).items():
            response[header] = value
    return response


def _same_for_everyone(response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "cookie" not in response.get("Vary", "").lower()
    )


def _page_response(meta, page, etag):
    # Every cached request comes here: plain dict and regex work, no lazy
    # objects, is measurably cheaper than request.headers and patch_*().
    content_type, body, replayed = page
    headers = {**(replayed or {}), **_page_headers(etag)}
    if ACCEPTS_GZIP.search(meta.get("HTTP_ACCEPT_ENCODING", "")):
        headers["Content-Encoding"] = "gzip"
    else:
        body = gzip.decompress(body)
    # Set here, as CommonMiddleware is skipped when PageCacheMiddleware answers.
    headers["Content-Length"] = str(len(body))
    return HttpResponse(body, content_type=content_type, headers=headers)


def _page_headers(etag):
    return {"ETag": etag, "Vary": "Accept-Encoding", "Cache-Control": "no-cache"}
