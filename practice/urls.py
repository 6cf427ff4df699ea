from django.urls import path

from clinic.page_cache import cached_public_page

from . import views

app_name = "practice"

urlpatterns = [
    path("clinicians/", cached_public_page(views.ClinicianListView.as_view()), name="clinicians"),
    path(
        "clinicians/<slug:slug>/",
        cached_public_page(views.ClinicianDetailView.as_view()),
        name="clinician",
    ),
    path(
        "locations/<slug:slug>/",
        cached_public_page(views.LocationDetailView.as_view()),
        name="location",
    ),
]
