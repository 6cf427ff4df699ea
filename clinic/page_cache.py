"""Public pages are rendered once per content version and then served from the
cache, already compressed, until staff change something.

Every request reads the content version (one primary-key query), so no process
and no cache can serve a page older than the latest save: the version is part
of the cache key and of the ETag. Browsers revalidate every time
(`Cache-Control: no-cache`) and get a 304 while nothing has changed.

The version changes on every save or delete of a model that public pages show:
apps name theirs with `register_content` (in their `AppConfig.ready`), and
signals do the rest, whichever form, admin inline or script made the change.
Bulk writes (`QuerySet.update`, `bulk_create`) send no signals: code that
makes them calls `ContentVersion.bump()` itself.

Two parts work together:

- `cached_public_page` wraps a view that claims to look the same to every
  visitor and to read no query parameter but those it declares. It renders
  the page (or answers from the cache) and labels the request with the
  page's cache key; the view sees only the declared parameters.
- `PageCacheMiddleware`, the outermost middleware, decides on the final
  response, after every other middleware has added its cookies and headers,
  whether the page really is the same for everyone, and only then stores it,
  with those headers. Later requests for the same page are answered from the
  cache before any other middleware runs.
"""

import functools
import gzip
import hashlib
import re
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.http import HttpResponse, QueryDict
from django.utils.cache import get_conditional_response
from django.utils.text import compress_string

from clinic.models import ContentVersion

ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as GZipMiddleware tests it

# A list's `?page=N` as the site links to it: `page=02` or `page=last` would
# render the same page under another key, so such requests are not cached.
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")

# Long enough to outlive any version, short enough that a full cache empties.
PAGE_TIMEOUT = 24 * 60 * 60

# The paths this process has seen serve a page the same for everyone, with
# the query parameters each declares (path -> {name: pattern}), and the Host
# headers Django accepted for them: a request for anything else goes through
# the whole of Django. Both are bounded, so made-up paths or hosts cannot
# fill a process's memory.
MAX_PATHS = 10_000
MAX_HOSTS = 100
public_paths = {}
accepted_hosts = set()


def host_headers(meta):
    """What Django reads a request's host from (see HttpRequest.get_host)."""
    return meta.get("HTTP_X_FORWARDED_HOST"), meta.get("HTTP_HOST"), meta.get("SERVER_NAME")


def accept_host(request):
    # Called once Django's own checks of the host (ALLOWED_HOSTS) passed.
    if len(accepted_hosts) < MAX_HOSTS:
        accepted_hosts.add(host_headers(request.META))


def content_changed(**kwargs):
    ContentVersion.bump()


def register_content(*models):
    """Pages show these models: any save or delete of one changes the content
    version, and with it every cached page's key and ETag."""
    for model in models:
        post_save.connect(content_changed, sender=model, dispatch_uid=f"content-save-{model}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"content-del-{model}")
        # Through models: `stretch.keywords.add(...)` sends only m2m_changed.
        m2m_changed.connect(content_changed, sender=model, dispatch_uid=f"content-m2m-{model}")


def connect_migrations():
    # Data migrations use historical models, which send no signals.
    post_migrate.connect(content_changed, dispatch_uid="content-migrate")


@functools.cache
def release():
    """A digest of what shapes a page besides the content: the project's
    templates and code, the hashed static file names, the clinic's default
    name and the site's address. A deploy that changes them must not be
    answered with pages or 304s from before it, even from a cache (Redis)
    that outlives the deploy."""
    digest = hashlib.blake2b(f"{settings.CLINIC_NAME}\n{settings.SITE_URL}".encode(), digest_size=6)
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


@dataclass
class PublicPage:
    """What a request for a public page is cached under."""

    path: str
    query: dict  # the declared parameters: name -> pattern of the values cached
    key: str
    etag: str
    from_cache: bool = False

    @classmethod
    def for_request(cls, request, query):
        """The page this request asks for, at the current content version, or
        None when a declared parameter has a value the site never links to
        (rendered, never cached: no new key for each made-up value).

        The version is read once per request and before anything is
        rendered: a version read after rendering could label a page from
        before a change with the version after it."""
        canonical = canonical_query(request, query)
        if canonical is None:
            return None
        scheme = "https" if request.is_secure() else "http"
        key, etag = page_key(
            ContentVersion.for_request(request), scheme, request.path_info, canonical
        )
        return cls(request.path_info, query, key, etag)


def page_key(content_version, scheme, path, canonical):
    """The cache key and the ETag of a page at a content version."""
    version = f"{content_version}-{release()}"
    target = f"{scheme}:{path}?{canonical}"
    digest = hashlib.blake2b(target.encode(), digest_size=16).hexdigest()
    return f"page:{version}:{digest}", f'"{version}"'


def canonical_query(request, query):
    """The declared parameters' values as a query string ("" for none), or
    None if one of them is repeated or not of its declared form. Parameters
    the page does not declare (utm_source, fbclid...) are left out."""
    if not request.META.get("QUERY_STRING"):
        return ""
    return canonical_parameters(request.GET, query)


def canonical_parameters(parameters, query):
    pairs = []
    for name, pattern in query.items():
        values = parameters.getlist(name)
        if len(values) > 1 or (values and not pattern.fullmatch(values[0])):
            return None
        pairs += [(name, value) for value in values]
    return urlencode(pairs)


def cached_public_page(view=None, *, query=None):
    """Serve a read-only page from the cache for the current content version,
    answering 304 to a browser that already has it.

    `query` maps the query parameters the page reads to the pattern of the
    values it links to, e.g. `{"page": PAGE_NUMBER}`; the view sees no other
    parameter, so a request carrying others (`?utm_source=...`) gets the same
    page, from the same cache entry.

    The page is stored by PageCacheMiddleware, and only if the final response
    is the same for everyone. Off with DEBUG, where templates change under a
    running server, and with PAGE_CACHE=0 (the benchmark's "render every
    time" runs).
    """
    if view is None:
        return functools.partial(cached_public_page, query=query)
    query = dict(query or {})

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _enabled(request):
            return view(request, *args, **kwargs)
        _keep_only_declared_parameters(request, query)
        page = PublicPage.for_request(request, query)
        if page is None:
            return view(request, *args, **kwargs)
        request.public_page = page
        stored = cache.get(page.key)
        if stored is not None:
            page.from_cache = True
            return _page_response(request.META, stored, page.etag)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        if response.status_code != 200 or response.streaming:
            return response
        # No random padding (Django's BREACH mitigation): these pages hold
        # no secret, and the same bytes every time keep the ETag honest.
        body = compress_string(response.content)
        return _page_response(request.META, (response["Content-Type"], body, {}), page.etag)

    return wrapper


class PageCacheMiddleware:
    """Stores public pages that are the same for everyone, and serves them
    again ahead of every other middleware.

    It must come first in MIDDLEWARE: only there is the response it sees the
    final one, with every cookie and `Vary` the session, CSRF and
    authentication middleware add (a page that used `csrf_token` or `user`
    varies on the cookie and is never stored), and every header the security
    middleware add, which are stored with the page and sent again. It answers
    conditional requests (304, 412) on that final response too, so only for
    a page that exists and is the same for everyone.

    It only looks up paths that this process has seen `cached_public_page`
    serve (`public_paths`), so every other request costs it one dict lookup. It checks the host
    against ALLOWED_HOSTS as CommonMiddleware would, and leaves plain-HTTP
    requests to SecurityMiddleware's redirect when SECURE_SSL_REDIRECT is on.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.page_paths = public_paths

    def __call__(self, request):
        query = self.page_paths.get(request.path_info)
        if query is not None and _enabled(request) and _may_serve(request):
            request.get_host()
            try:
                page = PublicPage.for_request(request, query)
            except DatabaseError:
                # Let the view meet the outage, where it becomes the "please
                # try again" page (clinic.middleware.DatabaseUnavailableMiddleware).
                return self.get_response(request)
            stored = page and cache.get(page.key)
            if stored:
                return _cached_response(request, page, stored)
        response = self.get_response(request)
        page = getattr(request, "public_page", None)
        if page is None or response.status_code != 200:
            # Conditional headers apply only to a page that exists: a
            # missing one answers 404 whatever they say.
            return response
        if not _same_for_everyone(request, response):
            self.page_paths.pop(page.path, None)
            # The content version says nothing about a page made for one visitor.
            del response["ETag"]
            return response
        if not page.from_cache and request.method == "GET":
            cache.set(page.key, _stored_page(response), PAGE_TIMEOUT)
        if len(self.page_paths) < MAX_PATHS:
            self.page_paths[page.path] = page.query
        accept_host(request)
        return _not_modified(request, page.etag, response=response) or response


REQUEST_LOG_MIDDLEWARE = "clinic.request_log.RequestLogMiddleware"


@checks.register()
def page_cache_comes_first(app_configs, **kwargs):
    """Anywhere lower, a middleware above it could add a cookie or a `Vary`
    to a page after it was judged the same for everyone. Only the request
    log may come before it: it adds a header that is meant to differ on
    every response, so must never be stored with a page."""
    name = f"{__name__}.{PageCacheMiddleware.__name__}"
    if name not in settings.MIDDLEWARE:
        return []
    above = settings.MIDDLEWARE[: settings.MIDDLEWARE.index(name)]
    if any(middleware != REQUEST_LOG_MIDDLEWARE for middleware in above):
        return [
            checks.Error(
                "PageCacheMiddleware must be the first middleware.",
                hint="Move it to the top of MIDDLEWARE (after the request log only).",
                id="clinic.E001",
            )
        ]
    return []


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


def _may_serve(request):
    return request.is_secure() or not settings.SECURE_SSL_REDIRECT


def _keep_only_declared_parameters(request, query):
    if not request.META.get("QUERY_STRING"):
        return
    declared = QueryDict(mutable=True)
    for name in query:
        if name in request.GET:
            declared.setlist(name, request.GET.getlist(name))
    declared._mutable = False
    request.GET = declared
    request.META["QUERY_STRING"] = declared.urlencode()


def _same_for_everyone(request, response):
    """Whether the final response can be given to anyone who asks: no
    cookie set, nothing varying but the encoding, nothing private, no CSP
    nonce (a fresh one each time)."""
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",")} - {""}
    cache_control = response.get("Cache-Control", "").lower()
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Set-Cookie")
        and vary <= {"accept-encoding"}
        and "private" not in cache_control
        and "no-store" not in cache_control
        and response.get("Content-Encoding", "gzip") == "gzip"
        and not getattr(request, "_csp_nonce", None)  # django-csp's per-request nonce
    )


def _stored_page(response):
    body = response.content
    if not response.has_header("Content-Encoding"):
        body = compress_string(body)
    replayed = {
        header: value for header, value in response.items() if header.lower() not in NOT_REPLAYED
    }
    return (response["Content-Type"], body, replayed)


def _cached_response(request, page, stored):
    """A stored page exists at this version: conditional headers apply."""
    not_modified = _not_modified(request, page.etag, replayed=stored[2])
    if not_modified is not None:
        return not_modified
    return _page_response(request.META, stored, page.etag)


def _not_modified(request, etag, replayed=None, response=None):
    """A 304 (or 412) for a page that exists, or None to send the page."""
    meta = request.META
    if "HTTP_IF_NONE_MATCH" not in meta and "HTTP_IF_MATCH" not in meta:
        return None
    conditional = get_conditional_response(request, etag=etag, response=response)
    if conditional is None or conditional is response:
        return None
    # A 304 repeats the validators and caching rules of the 200, and the
    # headers the page was stored with.
    for header, value in {**(replayed or {}), **_page_headers(etag)}.items():
        conditional[header] = value
    return conditional


def _page_response(meta, page, etag):
    # Every cached request comes here: plain dict and regex work, no lazy
    # objects, is measurably cheaper than request.headers and patch_*().
    content_type, body, replayed = page
    headers = {**replayed, **_page_headers(etag)}
    if ACCEPTS_GZIP.search(meta.get("HTTP_ACCEPT_ENCODING", "")):
        headers["Content-Encoding"] = "gzip"
    else:
        body = gzip.decompress(body)
    # Set here, as CommonMiddleware is skipped when PageCacheMiddleware answers.
    headers["Content-Length"] = str(len(body))
    return HttpResponse(body, content_type=content_type, headers=headers)


def _page_headers(etag):
    return {"ETag": etag, "Vary": "Accept-Encoding", "Cache-Control": "no-cache"}
