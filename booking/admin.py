from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html_join

from consultations.models import OutboxMessage
from consultations.red_flags import Urgency, describe

from .models import (
    Appointment,
    AvailabilityException,
    ClinicClosure,
    Reminder,
    WaitlistEntry,
    WeeklyHours,
)
from .notifications import queue_appointment_email, queue_email_after_move
from .services import (
    NotAllowed,
    OutsideAvailability,
    SlotTaken,
    book_appointment,
    move_appointment,
)

Status = Appointment.Status
BOOKING_FIELDS = [
    "clinician",
    "location",
    "appointment_type",
    "starts_at",
    "patient_name",
    "patient_email",
    "patient_phone",
]


class WeeklyHoursInline(admin.TabularInline):
    model = WeeklyHours
    extra = 0
    fields = ["location", "weekday", "starts", "ends"]


class AvailabilityExceptionInline(admin.TabularInline):
    model = AvailabilityException
    extra = 0
    fields = ["kind", "date", "starts", "ends", "location", "reason"]


@admin.register(AvailabilityException)
class AvailabilityExceptionAdmin(admin.ModelAdmin):
    list_display = ["date", "clinician", "kind", "starts", "ends", "location", "reason"]
    list_filter = ["kind", "clinician"]
    date_hierarchy = "date"


@admin.register(ClinicClosure)
class ClinicClosureAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "location"]
    list_filter = ["location"]
    date_hierarchy = "date"


class AppointmentBookingForm(forms.ModelForm):
    """Staff book a patient who phones in through the same service, rules and
    constraint as a patient online; a refusal is shown on the time field."""

    staff_user = None

    class Meta:
        model = Appointment
        fields = BOOKING_FIELDS
        help_texts = {"starts_at": "In the clinic's time zone (UK time)."}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.booked = book_appointment(
                clinician=cleaned["clinician"],
                location=cleaned["location"],
                appointment_type=cleaned["appointment_type"],
                starts_at=cleaned["starts_at"],
                patient_name=cleaned["patient_name"],
                patient_email=cleaned.get("patient_email", ""),
                patient_phone=cleaned.get("patient_phone", ""),
                booked_by=self.staff_user,
            )
        except NotAllowed as refused:
            raise ValidationError({"appointment_type": str(refused)}) from None
        except OutsideAvailability as refused:
            raise ValidationError({"starts_at": str(refused)}) from None
        except SlotTaken as taken:
            nearest = (
                "; ".join(slot.label for slot in taken.nearest) or "none in the week around it"
            )
            raise ValidationError(
                {"starts_at": f"That time has just been taken. Nearest free times: {nearest}."}
            ) from None
        return cleaned

    def _post_clean(self):
        # The booking service has stored the appointment; nothing is left for
        # the model's own validation to check.
        if not hasattr(self, "booked"):
            super()._post_clean()


class AppointmentStatusForm(forms.ModelForm):
    class Meta:
        model = Appointment
        fields = ["status"]

    def clean_status(self):
        status = self.cleaned_data["status"]
        current = self.instance
        if status != current.status and not current.can_move_to(status):
            allowed = sorted(Status(s).label.lower() for s in Appointment.MOVES[current.status])
            raise ValidationError(
                f"A {current.get_status_display().lower()} appointment can only become: "
                + (", ".join(allowed) or "nothing (it is finished)")
                + "."
            )
        return status


def move_action(status):
    @admin.action(description=f"Mark selected appointments as {status.label.lower()}")
    def action(modeladmin, request, queryset):
        moved = refused = 0
        for appointment in queryset:
            try:
                with transaction.atomic():
                    moved_appointment = move_appointment(
                        appointment=appointment, to_status=status, by=request.user
                    )
                    queue_email_after_move(appointment=moved_appointment)
                moved += 1
            except NotAllowed:
                refused += 1
        modeladmin.message_user(request, f"{moved} moved to {status.label.lower()}.")
        if refused:
            modeladmin.message_user(
                request, f"{refused} could not move to {status.label.lower()}.", messages.WARNING
            )

    action.__name__ = f"mark_{status.value}"
    return action


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = [
        "local_start",
        "clinician",
        "location",
        "appointment_type",
        "patient_name",
        "status",
        "urgency_flag",
        "patient_no_shows",
    ]
    list_filter = ["status", "urgency", "clinician", "location", "appointment_type", "source"]
    search_fields = ["patient_name", "patient_email", "patient_phone"]
    date_hierarchy = "starts_at"
    list_select_related = ["clinician", "location", "appointment_type"]
    actions = [
        move_action(Status.CONFIRMED),
        move_action(Status.ARRIVED),
        move_action(Status.COMPLETED),
        move_action(Status.NO_SHOW),
        move_action(Status.CANCELLED_BY_CLINIC),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_patient_no_shows()

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = AppointmentBookingForm
            kwargs["fields"] = BOOKING_FIELDS
        else:
            kwargs["form"] = AppointmentStatusForm
            kwargs["fields"] = ["status"]
        form = super().get_form(request, obj, **kwargs)
        form.staff_user = request.user
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return BOOKING_FIELDS
        return [
            "status",
            "local_start",
            "clinician",
            "location",
            "appointment_type",
            "patient_name",
            "patient_email",
            "patient_phone",
            "patient_no_shows",
            "source",
            "booked_by",
            "urgency",
            "warning_signs",
            "pain_duration_weeks",
            "pain_intensity",
            "description",
            "consent_text",
            "consent_given_at",
            "status_history",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [field for field in self.get_fields(request, obj) if field != "status"]

    def save_form(self, request, form, change):
        if not change:
            # The patient who phoned in gets the same confirmation as online.
            queue_appointment_email(
                appointment=form.booked, kind=OutboxMessage.Kind.BOOKING_CONFIRMATION
            )
            return form.booked
        return form.instance

    def save_model(self, request, obj, form, change):
        if change and "status" in form.changed_data:
            moved = move_appointment(
                appointment=obj, to_status=form.cleaned_data["status"], by=request.user
            )
            queue_email_after_move(appointment=moved)

    def save_related(self, request, form, formsets, change):
        pass  # The form has no related objects; a new appointment was saved by the service.

    @admin.display(description="starts (UK time)", ordering="starts_at")
    def local_start(self, appointment):
        return f"{timezone.localtime(appointment.starts_at):%a %d %b %Y, %H:%M %Z}"

    @admin.display(description="status history")
    def status_history(self, appointment):
        changes = appointment.status_changes.all()
        return format_html_join(
            "",
            "<p>{} — {} by {}</p>",
            (
                (
                    f"{timezone.localtime(change.changed_at):%d %b %Y, %H:%M %Z}",
                    change.get_to_status_display(),
                    change.changed_by_label,
                )
                for change in changes
            ),
        )

    @admin.display(description="warning signs", ordering="-urgency")
    def urgency_flag(self, appointment):
        return "" if appointment.urgency == Urgency.ROUTINE else appointment.get_urgency_display()

    @admin.display(description="warning signs ticked")
    def warning_signs(self, appointment):
        return format_html_join(
            "", "<p>{}</p>", ((sign,) for sign in describe(appointment.red_flags))
        )

    @admin.display(description="patient no-shows")
    def patient_no_shows(self, appointment):
        return appointment.patient_no_shows


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    """The front desk sees who is waiting for an earlier time; what the
    patient gave is read-only. Deleting an entry takes the patient off."""

    list_display = [
        "full_name",
        "appointment_type",
        "location",
        "clinician",
        "before",
        "status",
        "created_at",
    ]
    list_filter = ["status", "location", "appointment_type", "clinician"]
    search_fields = ["full_name", "email", "phone"]
    date_hierarchy = "before"
    list_select_related = ["appointment_type", "location", "clinician"]
    readonly_fields = [
        "full_name",
        "email",
        "phone",
        "appointment_type",
        "location",
        "clinician",
        "before",
        "status",
        "urgency",
        "red_flags",
        "consent_text",
        "appointment",
        "created_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # Patients join from the day view.


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Each appointment's reminders, for checking what went out (read-only:
    the booking services make and cancel them)."""

    list_display = ["starts_at", "appointment", "status", "sent_at"]
    list_filter = ["status"]
    date_hierarchy = "starts_at"
    list_select_related = [
        "appointment__clinician",
        "appointment__location",
        "appointment__appointment_type",
    ]
    fields = readonly_fields = ["appointment", "starts_at", "status", "sent_at", "message"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
