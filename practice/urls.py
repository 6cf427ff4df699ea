from django.urls import path

from . import views

app_name = "practice"

urlpatterns = [
    path("clinicians/", views.ClinicianListView.as_view(), name="clinicians"),
    path("clinicians/<slug:slug>/", views.ClinicianDetailView.as_view(), name="clinician"),
    path("locations/<slug:slug>/", views.LocationDetailView.as_view(), name="location"),
]
