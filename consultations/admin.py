import phonenumbers
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince

from audit.models import AuditEntry
from audit.services import record

from .erasure import erase_requests
from .exports import patient_data, write_csv
from .models import ConsultationRequest, OutboxMessage
from .outbox import retry_now
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
    "diary_summary",
]
URGENCY_CSS = {
    Urgency.EMERGENCY: "emergency",
    Urgency.URGENT: "urgent",
    Urgency.DISCUSS_SOON: "discuss",
}
STAFF_FIELDS = ["status", "handled_by", "staff_notes"]
CONSENT_FIELDS = ["consent_version", "consent_text", "consent_given_at", "consent_page"]

EXPORT = {
    "verb": "export",
    "title": "Export which requests?",
    "button": "Export the ticked requests (JSON)",
    "warning": "",
    "appointments_note": "The export includes the appointments booked from each ticked request.",
}
ERASE = {
    "verb": "erase",
    "title": "Erase which requests?",
    "button": "Erase the ticked requests",
    "warning": "Erasing permanently deletes the ticked requests. It cannot be undone.",
    # What erasing a request leaves: said before staff confirm, not after.
    "appointments_note": "Appointments booked from a request are the clinic's booking record "
    "and are not erased with it: they keep the name, contact details and answers they were "
    "booked with. Cancel or change them under Appointments if they must go too.",
}


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


def record_page_view(request, *, object_id, response):
    """A request's page, shown to staff, goes in the audit trail."""
    if request.method == "GET" and response.status_code == 200:
        record(action=AuditEntry.Action.VIEWED, by=request.user, request_numbers=[object_id])


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
        "booked_times",
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
        "first_opened_at",
        "first_opened_by",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["urgency_flag", "status", "handled_by", "staff_notes", "booked_times"]},
        ),
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
        (
            "Timeline",
            {
                "fields": [
                    "created_at",
                    "first_opened_at",
                    "first_opened_by",
                    "contacted_at",
                    "closed_at",
                    "updated_at",
                ]
            },
        ),
    ]

    class Media:
        css = {"all": ["css/admin-consultations.css"]}

    def has_add_permission(self, request):
        # Requests come from patients only.
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            # The page was shown to a staff member allowed to see it.
            consultation = response.context_data["original"]
            consultation.record_opened_by(request.user)
        record_page_view(request, object_id=object_id, response=response)
        return response

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
            old_status, new_status = form.initial["status"], obj.status
            obj.status = old_status
            obj.apply_status(new_status, by=request.user)
            record(
                action=AuditEntry.Action.STATUS_CHANGED,
                by=request.user,
                request_numbers=[obj.pk],
                detail=f"{old_status} → {new_status}",
            )
        # Only what staff edit: answers the patient resent meanwhile stay.
        obj.save(update_fields=[*STAFF_FIELDS, "contacted_at", "closed_at", "updated_at"])

    def delete_model(self, request, obj):
        # Deleting through the admin is erasure too: the log scrubbed, the trail kept.
        erase_requests([obj], by=request.user)

    def delete_queryset(self, request, queryset):
        erase_requests(list(queryset), by=request.user)

    def move_selected(self, request, queryset, status):
        moved, skipped = [], []
        for consultation in queryset:
            if consultation.can_move_to(status):
                consultation.move_to(status, by=request.user)
                moved.append(consultation.pk)
            else:
                skipped.append(f"#{consultation.pk} ({consultation.get_status_display().lower()})")
        if moved:
            record(
                action=AuditEntry.Action.STATUS_CHANGED,
                by=request.user,
                request_numbers=moved,
                detail=f"→ {status.value}",
            )
            self.message_user(request, f"{len(moved)} request(s) marked as {status.label.lower()}.")
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
        exported = list(queryset.select_related("source_stretch", "handled_by"))
        write_csv(exported, response)
        record(
            action=AuditEntry.Action.EXPORTED_CSV,
            by=request.user,
            request_numbers=[c.pk for c in exported],
        )
        return response

    @admin.action(
        description="Export a patient's data (JSON): choose their requests", permissions=["view"]
    )
    def export_patient_data(self, request, queryset):
        """For a patient's request to see their data: staff see the selected
        requests and those sharing an email or phone with them, and tick
        which ones are the patient's."""
        chosen, preview = self.chosen_requests(request, queryset, purpose=EXPORT)
        if preview:
            return preview
        held = ConsultationRequest.objects.filter(pk__in=[c.pk for c in chosen])
        response = JsonResponse(
            patient_data(
                held.select_related("source_stretch", "handled_by").prefetch_related(
                    "appointments__appointment_type",
                    "appointments__clinician",
                    "appointments__location",
                )
            ),
            json_dumps_params={"ensure_ascii": False, "indent": 2},
        )
        response["Content-Disposition"] = 'attachment; filename="patient-data.json"'
        record(
            action=AuditEntry.Action.EXPORTED_JSON,
            by=request.user,
            request_numbers=[c.pk for c in chosen],
        )
        return response

    @admin.action(
        description="Erase a patient's data: choose their requests", permissions=["delete"]
    )
    def erase_patient_data(self, request, queryset):
        """For a patient's request to be forgotten: deletes the requests staff
        tick among the selected ones and those sharing an email or phone."""
        chosen, preview = self.chosen_requests(request, queryset, purpose=ERASE)
        if preview:
            return preview
        count = erase_requests(chosen, by=request.user)
        self.message_user(request, f"Erased {count} request(s) at the patient's request.")
        return None

    def chosen_requests(self, request, queryset, *, purpose):
        """The requests staff ticked on the preview page, and None; or, on the
        first visit or when nothing valid was ticked, no requests and the page.

        The page offers the selected requests and every request sharing an
        email or phone number with one of them, one step only: a request
        that shares a detail with a candidate is not offered, since chains
        reach strangers (someone may give another person's phone)."""
        selected = list(queryset)
        candidates = list(ConsultationRequest.objects.sharing_contact_with(selected))
        offered = {c.pk: c for c in selected + candidates}
        error = ""
        if request.POST.get("confirm") == "yes":
            ticked = request.POST.getlist("include")
            # Matched as posted: int() fails on hostile digits ("²", 5,000 of them).
            by_number = {str(pk): consultation for pk, consultation in offered.items()}
            chosen = [by_number[n] for n in ticked if n in by_number]
            if chosen and len(chosen) == len(ticked):
                return chosen, None
            error = (
                f"Tick at least one request to {purpose['verb']}."
                if not ticked
                else "Only the requests listed here can be chosen; tick them again."
            )
            ticked_numbers = {c.pk for c in chosen}
        else:
            ticked_numbers = {c.pk for c in selected}
        rows = [
            {
                "request": consultation,
                "link": "selected"
                if consultation in selected
                else ", ".join(consultation.contact_links_to(selected)),
                "ticked": consultation.pk in ticked_numbers,
                "appointments": list(consultation.appointments.all()),
            }
            for consultation in selected + candidates
        ]
        return [], TemplateResponse(
            request,
            "admin/consultations/patient_data_preview.html",
            {
                **self.admin_site.each_context(request),
                "title": purpose["title"],
                "purpose": purpose,
                "rows": rows,
                "booked_from_rows": any(row["appointments"] for row in rows),
                "error": error,
                "selected": selected,
                "action": request.POST.get("action", ""),
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

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

    @admin.display(description="Booked times")
    def booked_times(self, consultation):
        """The appointments booked from this request, and a way to book one:
        the diary, which carries the request to the booking form."""
        book = format_html(
            '<a href="{}?consultation_request={}">Book a time</a>',
            reverse("admin:booking_diary_changelist"),
            consultation.pk,
        )
        booked = [
            (
                reverse("admin:booking_appointment_change", args=[appointment.pk]),
                str(appointment),
                appointment.get_status_display(),
            )
            for appointment in consultation.appointments.select_related(
                "clinician", "appointment_type"
            )
        ]
        if not booked:
            return book
        return format_html(
            "<ul>{}</ul>{}", format_html_join("", '<li><a href="{}">{}</a> ({})</li>', booked), book
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


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The emails waiting to be sent, sent, or given up on: read-only, with a
    way to try again at once. Shows the request's number, never its contents."""

    list_display = [
        "pk",
        "kind",
        "request_number",
        "recipient_list",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "alarm",
        "created_at",
    ]
    list_display_links = ["pk"]
    list_filter = ["status", "kind", ("alarm_raised_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "created_at"
    actions = ["retry_selected_now", "dismiss_alarms"]
    fields = [
        "kind",
        "request_number",
        "recipient_list",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
        "alarm_raised_at",
        "alarm_dismissed_at",
        "alarm_dismissed_by",
        "created_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Messages go with their request (erasure, retention), never alone.
        return False

    @admin.display(description="Request", ordering="consultation_id")
    def request_number(self, message):
        if message.consultation_id is None:
            url = reverse("admin:booking_appointment_change", args=[message.appointment_id])
            return format_html('<a href="{}">Appointment #{}</a>', url, message.appointment_id)
        url = reverse(
            "admin:consultations_consultationrequest_change", args=[message.consultation_id]
        )
        return format_html('<a href="{}">#{}</a>', url, message.consultation_id)

    @admin.display(description="To")
    def recipient_list(self, message):
        return ", ".join(message.recipients)

    @admin.display(description="Alarm", boolean=True)
    def alarm(self, message):
        return bool(
            message.alarm_raised_at
            and not message.alarm_dismissed_at
            and message.status != OutboxMessage.Status.SENT
        )

    @admin.action(description="Retry selected messages now", permissions=["change"])
    def retry_selected_now(self, request, queryset):
        count = retry_now(queryset)
        self.message_user(request, f"{count} message(s) will be tried again now.")

    @admin.action(
        description="Dismiss the alarm (staff were told another way)", permissions=["change"]
    )
    def dismiss_alarms(self, request, queryset):
        alarms = queryset.alarms()
        for message in alarms:
            message.dismiss_alarm(by=request.user)
        self.message_user(request, f"{len(alarms)} alarm(s) dismissed.")
