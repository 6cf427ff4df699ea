from django.urls import path

from . import views
from .caching import cached_public_page

app_name = "stretches"

# Every page here is the same for every visitor, so all are served from the
# content-versioned cache (see stretches/caching.py).
urlpatterns = [
    path("", cached_public_page(views.home), name="home"),
    path(
        "guides/<slug:slug>/",
        cached_public_page(views.GuideDetailView.as_view()),
        name="guide",
    ),
    path("stretches/", cached_public_page(views.StretchListView.as_view()), name="list"),
    path(
        "stretches/<slug:slug>/",
        cached_public_page(views.StretchDetailView.as_view()),
        name="detail",
    ),
    path(
        "keywords/<slug:slug>/",
        cached_public_page(views.KeywordDetailView.as_view()),
        name="keyword",
    ),
]
