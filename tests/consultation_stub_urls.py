"""The site's URLs plus a stand-in for the consultations app's form, so the
"Request Consultation" links can be tested before that app is merged."""

from django.http import HttpResponse
from django.urls import include, path

from clinic.urls import urlpatterns as site_urlpatterns

consultations = (
    [path("consultation/", lambda request: HttpResponse("form"), name="request")],
    "consultations",
)

urlpatterns = [path("", include(consultations)), *site_urlpatterns]
