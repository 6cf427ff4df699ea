from django.urls import path

from . import views

app_name = "stretches"

urlpatterns = [
    path("", views.home, name="home"),
    path("guides/<slug:slug>/", views.GuideDetailView.as_view(), name="guide"),
    path("stretches/", views.StretchListView.as_view(), name="list"),
    path("stretches/<slug:slug>/", views.StretchDetailView.as_view(), name="detail"),
    path("keywords/<slug:slug>/", views.KeywordDetailView.as_view(), name="keyword"),
]
