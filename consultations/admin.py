import phonenumbers
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince

from .exports import patient_data, write_csv
from .models import ConsultationRequest
from .red_flags import Urgency

Status = ConsultationRequest.Status

PATIENT_FIELDS = [
    "full_name",
    "email",
    "phone",
    "preferred_contact",
    "preferred_days",
    "preferred_time",
    "pain_duration_weeks",
    "pain_intensity",
    "description",
    "warning_signs",
    "source_stretch",
    "source_page",
]
URGENCY_CSS = {
    Urgency.EMERGENCY: "emergency",
    Urgency.URGENT: "urgent",
    Urgency.DISCUSS_SOON: "discuss",
}
STAFF_FIELDS = ["status", "handled_by", "staff_notes"]
CONSENT_FIELDS = ["consent_version", "consent_text", "consent_given_at", "consent_page"]


class ConsultationRequestAdminForm(forms.ModelForm):
    class Meta:
        model = ConsultationRequest
        fields = STAFF_FIELDS

    def clean_status(self):
        status = self.cleaned_data["status"]
        current = self.instance
        if status != current.status and not current.can_move_to(status):
            allowed = sorted(Status(s).label.lower() for s in current.NEXT_STATUSES[current.status])
            raise forms.ValidationError(
                f"A {current.get_status_display().lower()} request can only become: "
                + (", ".join(allowed) or "nothing (it is finished)")
                + "."
            )
        return status


def move_action(status):
    """An admin action that moves the selected requests to `status`."""

    @admin.action(description=f"Mark selected requests as {status.label.lower()}")
    def action(modeladmin, request, queryset):
        modeladmin.move_selected(request, queryset, status)

    action.__name__ = f"mark_{status.value}"
    return action


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(admin.ModelAdmin):
    form = ConsultationRequestAdminForm
    list_display = [
        "urgency_flag",
        "full_name",
        "email",
        "phone",
        "preferred_contact",
        "status",
        "pain_intensity",
        "age",
        "possible_duplicate",
    ]
    list_display_links = ["full_name"]
    # Open requests first, most urgent and newest first; then the finished ones.
    # A column staff click sorts by that column instead.
    ordering = [ConsultationRequest.open_first(), "-urgency", "-created_at"]
    list_filter = [
        "status",
        "urgency",
        "possible_duplicate",
        "preferred_contact",
        "created_at",
    ]
    search_fields = ["full_name", "email", "phone"]
    date_hierarchy = "created_at"
    list_select_related = ["handled_by"]
    actions = [
        move_action(Status.CONTACTED),
        move_action(Status.SCHEDULED),
        move_action(Status.CLOSED),
        move_action(Status.DECLINED),
        "export_csv",
        "export_patient_data",
        "erase_patient_data",
    ]
    readonly_fields = [
        "urgency_flag",
        *PATIENT_FIELDS,
        *CONSENT_FIELDS,
        "possible_duplicate",
        "other_requests_from_same_contact",
        "answers_changed_by_the_patient",
        "linked_requests",
        "created_at",
        "contacted_at",
        "closed_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["urgency_flag", "status", "handled_by", "staff_notes"]}),
        ("What the patient sent", {"fields": PATIENT_FIELDS}),
        (
            "Resent by the patient",
            {"fields": ["answers_changed_by_the_patient", "linked_requests"]},
        ),
        (
            "Possible duplicates",
            {"fields": ["possible_duplicate", "other_requests_from_same_contact"]},
        ),
        ("Consent", {"fields": CONSENT_FIELDS}),
        ("Timeline", {"fields": ["created_at", "contacted_at", "closed_at", "updated_at"]}),
    ]

    class Media:
        css = {"all": ["css/admin-consultations.css"]}

    def has_add_permission(self, request):
        # Requests come from patients only.
        return False

    def get_search_results(self, request, queryset, search_term):
        """Also find a phone number however staff type it (07911 123456 finds
        +447911123456)."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            number = phonenumbers.parse(search_term, settings.PHONE_REGION)
        except phonenumbers.NumberParseException:
            return results, may_have_duplicates
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return results | queryset.filter(phone=e164), may_have_duplicates

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "handled_by":
            kwargs["queryset"] = db_field.related_model.objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            new_status, obj.status = obj.status, form.initial["status"]
            obj.apply_status(new_status, by=request.user)
        # Only what staff edit: answers the patient resent meanwhile stay.
        obj.save(update_fields=[*STAFF_FIELDS, "contacted_at", "closed_at", "updated_at"])

    def move_selected(self, request, queryset, status):
        moved, skipped = 0, []
        for consultation in queryset:
            if consultation.can_move_to(status):
                consultation.move_to(status, by=request.user)
                moved += 1
            else:
                skipped.append(f"#{consultation.pk} ({consultation.get_status_display().lower()})")
        if moved:
            self.message_user(request, f"{moved} request(s) marked as {status.label.lower()}.")
        if skipped:
            self.message_user(
                request,
                f"Not moved, because they cannot become {status.label.lower()} from where they "
                f"are: {', '.join(skipped)}.",
                messages.WARNING,
            )

    @admin.action(description="Export selected requests as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="consultation-requests-{stamp}.csv"'
        )
        write_csv(queryset.select_related("source_stretch", "handled_by"), response)
        return response

    @admin.action(
        description="Export everything held about these patients (JSON)", permissions=["view"]
    )
    def export_patient_data(self, request, queryset):
        """For a patient's request to see their data: all of their requests,
        found by email or phone, not only the ones selected."""
        held = ConsultationRequest.objects.of_same_patients_as(list(queryset)).select_related(
            "source_stretch", "handled_by"
        )
        response = JsonResponse(
            patient_data(held), json_dumps_params={"ensure_ascii": False, "indent": 2}
        )
        response["Content-Disposition"] = 'attachment; filename="patient-data.json"'
        return response

    @admin.action(description="Erase everything held about these patients", permissions=["delete"])
    def erase_patient_data(self, request, queryset):
        """For a patient's request to be forgotten: deletes all of their
        requests, found by email or phone, after staff confirm."""
        held = ConsultationRequest.objects.of_same_patients_as(list(queryset))
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/consultations/erase_patient_data.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Erase everything held about these patients?",
                    "held": held.order_by("-created_at"),
                    "selected": queryset,
                    "opts": self.model._meta,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        count, _ = held.delete()
        self.message_user(request, f"Erased {count} request(s) at the patient's request.")
        return None

    @admin.display(description="Urgency", ordering="-urgency")
    def urgency_flag(self, consultation):
        if consultation.urgency == Urgency.ROUTINE:
            return "Routine"
        css = URGENCY_CSS.get(consultation.urgency, "urgent")
        return format_html(
            '<strong class="urgency urgency-{}">{}</strong>',
            css,
            consultation.get_urgency_display(),
        )

    @admin.display(description="Age", ordering="created_at")
    def age(self, consultation):
        return timesince(consultation.created_at, depth=1)

    @admin.display(description="Warning signs ticked")
    def warning_signs(self, consultation):
        questions = consultation.red_flag_questions
        if not questions:
            return "None"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((q,) for q in questions))
        )

    @admin.display(description="Answers the patient changed")
    def answers_changed_by_the_patient(self, consultation):
        if not consultation.revisions:
            return "None: the answers above are as first sent."
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "", "<li>{}</li>", ((revision,) for revision in consultation.changes_for_staff())
            ),
        )

    @admin.display(description="The same form sent again")
    def linked_requests(self, consultation):
        links = []
        if consultation.resubmission_of_id:
            links.append(("Resent form of", consultation.resubmission_of))
        links += [
            ("Sent again as", later) for later in consultation.resubmissions.order_by("created_at")
        ]
        if not links:
            return "None"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li>{} <a href="{}">#{}</a></li>',
                ((label, other.get_absolute_url(), other.pk) for label, other in links),
            ),
        )

    @admin.display(description="Other requests from the same email or phone")
    def other_requests_from_same_contact(self, consultation):
        others = (
            ConsultationRequest.objects.from_same_contact(
                email=consultation.email, phone=consultation.phone
            )
            .exclude(pk=consultation.pk)
            .order_by("-created_at")[:20]
        )
        if not others:
            return "None"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">#{} on {}</a> ({})</li>',
                (
                    (
                        other.get_absolute_url(),
                        other.pk,
                        timezone.localtime(other.created_at).strftime("%d %b %Y"),
                        other.get_status_display(),
                    )
                    for other in others
                ),
            ),
        )
