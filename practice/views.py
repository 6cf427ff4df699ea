from itertools import groupby

from django.http import Http404
from django.views.generic import DetailView, ListView

from clinic.models import SiteSettings

from . import pages, structured_data
from .models import Weekday


def hours_by_day(rows, *, starts, ends):
    """[("Monday", "09:00–12:30, 13:30–17:00"), …] from rows ordered by weekday."""
    return [
        (
            Weekday(weekday).label,
            ", ".join(f"{getattr(r, starts):%H:%M}–{getattr(r, ends):%H:%M}" for r in day_rows),
        )
        for weekday, day_rows in groupby(rows, key=lambda row: row.weekday)
    ]


class ClinicianListView(ListView):
    context_object_name = "clinicians"
    template_name = "practice/clinician_list.html"

    def get_queryset(self):
        return pages.active_clinicians()

    def get_context_data(self, **kwargs):
        return super().get_context_data(locations=pages.active_locations(), **kwargs)


class ClinicianDetailView(DetailView):
    context_object_name = "clinician"
    template_name = "practice/clinician_detail.html"

    def get_object(self, queryset=None):
        clinician = pages.active_clinician(self.kwargs["slug"])
        if clinician is None:
            raise Http404("No such clinician.")
        return clinician

    def get_context_data(self, **kwargs):
        hours = pages.working_hours(self.object)
        places = [
            (location, hours_by_day(rows, starts="starts", ends="ends"))
            for location, rows in groupby(hours, key=lambda row: row.location)
        ]
        return super().get_context_data(
            places=places,
            structured_data=structured_data.physician(self.object),
            **kwargs,
        )


class LocationDetailView(DetailView):
    context_object_name = "location"
    template_name = "practice/location_detail.html"

    def get_object(self, queryset=None):
        location = pages.active_location(self.kwargs["slug"])
        if location is None:
            raise Http404("No such location.")
        return location

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            opening_hours=hours_by_day(
                self.object.opening_hours.all(), starts="opens", ends="closes"
            ),
            clinicians=pages.clinicians_at(self.object),
            structured_data=structured_data.medical_clinic(
                self.object, clinic_name=SiteSettings.current(self.request).clinic_name
            ),
            **kwargs,
        )
