from django.urls import path

from clinic.page_cache import PAGE_NUMBER, cached_public_page

from . import routine, views

app_name = "stretches"

# Every page here is the same for every visitor, so all are served from the
# content-versioned cache (see clinic/page_cache.py). Lists read `?page=N`;
# the others read no query parameter.
list_page = cached_public_page(query={"page": PAGE_NUMBER})

urlpatterns = [
    path("", cached_public_page(views.home), name="home"),
    path("guides/", cached_public_page(views.GuideListView.as_view()), name="guides"),
    path(
        "guides/<slug:slug>/",
        cached_public_page(views.GuideDetailView.as_view()),
        name="guide",
    ),
    path("stretches/", list_page(views.StretchListView.as_view()), name="list"),
    path(
        "stretches/<slug:slug>/",
        cached_public_page(views.StretchDetailView.as_view()),
        name="detail",
    ),
    path("keywords/<slug:slug>/", list_page(views.KeywordDetailView.as_view()), name="keyword"),
    path("routine/", cached_public_page(routine.routine), name="routine"),
    path("routine/diary/", cached_public_page(routine.diary), name="routine_diary"),
    path("routine/print/", cached_public_page(routine.print_sheet), name="routine_print"),
    path(
        "guides/<slug:slug>/routine/",
        cached_public_page(routine.routine),
        name="guide_routine",
    ),
    # Served fresh: the browser checks the worker for a new version itself.
    path("sw.js", routine.service_worker, name="service_worker"),
    path("manifest.webmanifest", cached_public_page(routine.manifest), name="manifest"),
    # Never cached: a draft, for staff, at a signed address that expires.
    path("preview/<str:token>/", views.preview_draft, name="preview"),
]
