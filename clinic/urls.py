from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("__baseline__/", views.baseline),
    path("", include("stretches.urls")),
]
