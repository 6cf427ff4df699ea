from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import path

from . import records
from .models import PatientDataSearch

SEE = (
    "consultations.view_consultationrequest",
    "booking.view_appointment",
    "booking.view_waitlistentry",
)
ERASE = ("consultations.delete_consultationrequest", "booking.delete_waitlistentry")


class ContactForm(forms.Form):
    email = forms.EmailField(label="Email address", required=False)
    phone = forms.CharField(label="Phone number", max_length=40, required=False)

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not records.normalised_phone(phone):
            raise forms.ValidationError("Please give a phone number like 020 7946 0958.")
        return phone

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("email") or cleaned.get("phone")):
            raise forms.ValidationError("Give the email address or phone number the patient used.")
        return cleaned

    def contact(self):
        return records.Contact(email=self.cleaned_data["email"], phone=self.cleaned_data["phone"])


@admin.register(PatientDataSearch)
class PatientDataSearchAdmin(admin.ModelAdmin):
    """One page for a patient's request to see or erase their data: staff
    give the patient's email or phone, see every record giving it, tick which
    are the patient's, then export or erase them."""

    def get_urls(self):
        return [
            path(
                "",
                self.admin_site.admin_view(self.search_view),
                name="patient_data_patientdatasearch_changelist",
            )
        ]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perms(SEE)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def search_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        # Posted, never in the address: a patient's email or phone must not
        # reach a proxy's access log.
        form = ContactForm(request.POST if request.method == "POST" else None)
        found = records.PatientRecords([], [], [])
        ticked = {kind.attribute: set() for kind in records.KINDS}
        error = ""
        if form.is_valid():
            found = records.PatientRecords.matching(form.contact())
            if request.POST.get("do") in {"export", "erase"}:
                ticked, error, answer = self.act_on_ticked(request, found)
                if answer is not None:
                    return answer
                if request.POST["do"] == "erase" and not error:
                    found = records.PatientRecords.matching(form.contact())
        return TemplateResponse(
            request,
            "admin/patient_data/search.html",
            {
                **self.admin_site.each_context(request),
                "title": "Find a patient's data",
                "opts": self.model._meta,
                "form": form,
                "searched": form.is_bound and form.is_valid(),
                "found": found,
                "sections": sections(found, ticked),
                "error": error,
                "may_erase": request.user.has_perms(ERASE),
            },
        )

    def act_on_ticked(self, request, found):
        """Exports or erases what staff ticked among `found`: (ticked numbers
        by kind, an error to show, the answer to give or None)."""
        doing = request.POST.get("do")
        # By number as posted: a string never turned into an int (hostile
        # input such as "²" or 5,000 digits would fail int()).
        offered = {
            kind.attribute: {str(row.pk): row for row, _ in getattr(found, kind.attribute)}
            for kind in records.KINDS
        }
        posted = {kind.attribute: request.POST.getlist(kind.tick_box) for kind in records.KINDS}
        if doing == "erase":
            if not request.user.has_perms(ERASE):
                raise PermissionDenied
            posted["appointments"] = []  # kept: the clinic's booking record
        chosen = {
            kind: [offered[kind][n] for n in numbers if n in offered[kind]]
            for kind, numbers in posted.items()
        }
        ticked = {kind: {row.pk for row in rows} for kind, rows in chosen.items()}
        if not any(posted.values()):
            return ticked, f"Tick at least one record to {doing}.", None
        if any(len(chosen[kind]) != len(posted[kind]) for kind in posted):
            return ticked, "Only the records listed here can be chosen; tick them again.", None
        picked = records.PatientRecords(**chosen)
        if doing == "export":
            response = JsonResponse(
                records.export(
                    records.PatientRecords.numbered(
                        **{kind: [row.pk for row in rows] for kind, rows in chosen.items()}
                    ),
                    by=request.user,
                ),
                json_dumps_params={"ensure_ascii": False, "indent": 2},
            )
            response["Content-Disposition"] = 'attachment; filename="patient-data.json"'
            return ticked, "", response
        records.erase(picked, by=request.user)
        self.message_user(
            request,
            f"Erased {len(picked.requests)} request(s) and {len(picked.waitlist_entries)} "
            "waiting-list entry(ies) at the patient's request.",
        )
        return {kind: set() for kind in posted}, "", None


def sections(found, ticked):
    """The page's tables: one for each kind of record found."""
    return [
        {
            "kind": kind,
            "rows": [
                {
                    "number": row.pk,
                    "ticked": row.pk in ticked[kind.attribute],
                    "cells": kind.describe(row),
                    "links": ", ".join(links),
                }
                for row, links in getattr(found, kind.attribute)
            ],
        }
        for kind in records.KINDS
        if getattr(found, kind.attribute)
    ]
