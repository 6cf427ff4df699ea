from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("", views.ConsultationRequestView.as_view(), name="request"),
    path("thanks/", views.thanks, name="thanks"),
    path("privacy/", views.privacy_notice, name="privacy"),
]
