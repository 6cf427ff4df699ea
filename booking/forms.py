"""The patient's booking steps. The safety screen and the details reuse the
consultation request form's fields and checks: one definition of each."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from consultations import consent
from consultations.forms import ConsultationRequestForm
from consultations.red_flags import urgency_of
from practice.models import AppointmentType, Clinician, Location

from .availability import clinic_zone

_request_fields = ConsultationRequestForm.base_fields


class WarningSignsForm(forms.Form):
    emergency_signs = _request_fields["emergency_signs"]
    urgent_signs = _request_fields["urgent_signs"]
    discuss_soon_signs = _request_fields["discuss_soon_signs"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse("booking:start")
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Fieldset(
                "Before you start: warning signs",
                HTML('{% include "consultations/_red_flag_intro.html" %}'),
                "emergency_signs",
                "urgent_signs",
                HTML('{% include "consultations/_red_flag_advice.html" %}'),
                "discuss_soon_signs",
                css_id="warning-signs",
            ),
            Submit("submit", "Continue"),
        )

    @property
    def red_flag_codes(self):
        return [
            *self.cleaned_data["emergency_signs"],
            *self.cleaned_data["urgent_signs"],
            *self.cleaned_data["discuss_soon_signs"],
        ]

    @property
    def urgency(self):
        return urgency_of(self.red_flag_codes)


class ClinicianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, clinician):
        return f"{clinician.name}, {clinician.role.lower()}"


class AppointmentChoiceForm(forms.Form):
    """What, where and with whom: only what can be booked online."""

    appointment_type = forms.ModelChoiceField(
        label="Type of appointment",
        queryset=AppointmentType.objects.filter(bookable_online=True),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose a type of appointment."},
    )
    location = forms.ModelChoiceField(
        label="Where",
        queryset=Location.objects.active(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose where you would like to be seen."},
    )
    clinician = ClinicianChoiceField(
        label="Who with",
        queryset=Clinician.objects.active(),
        required=False,
        empty_label="First available",
        widget=forms.RadioSelect,
        to_field_name="slug",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse("booking:choose")
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", "Show free times"))

    def clean(self):
        cleaned = super().clean()
        appointment_type = cleaned.get("appointment_type")
        clinician = cleaned.get("clinician")
        if (
            appointment_type
            and clinician
            and not appointment_type.clinicians.filter(pk=clinician.pk).exists()
        ):
            self.add_error(
                "clinician",
                f"{clinician.name} does not offer {appointment_type.name.lower()}s. "
                "Please choose someone else or “First available”.",
            )
        return cleaned


class BookingDetailsForm(ConsultationRequestForm):
    """About you and your back pain, with consent: the consultation form's
    fields and checks, less what a booking does not need (how and when to
    contact you: the booking is the contact)."""

    class Meta(ConsultationRequestForm.Meta):
        fields = [
            "full_name",
            "email",
            "phone",
            "preferred_contact",
            "preferred_time",
            "pain_duration_weeks",
            "pain_intensity",
            "description",
        ]

    NOT_ASKED = (
        "emergency_signs",
        "urgent_signs",
        "discuss_soon_signs",
        "preferred_days",
        "stretch",
        "form_token",
        "source_page",
        "website",
        "preferred_contact",
        "preferred_time",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.NOT_ASKED:
            del self.fields[name]
        self.fields["email"].required = True
        self.fields["email"].help_text = "We email your confirmation and a calendar file here."
        self.fields["email"].error_messages["required"] = (
            "Please give your email address, so we can send your confirmation."
        )

    def _build_helper(self):
        helper = FormHelper()
        helper.form_action = reverse("booking:details")
        helper.attrs = {"novalidate": ""}
        helper.layout = Layout(
            Fieldset("About you", "full_name", "email", "phone"),
            Fieldset(
                "About your back pain", "pain_duration_weeks", "pain_intensity", "description"
            ),
            Fieldset("Your consent", "consent"),
            "consent_version",
            Submit("submit", "Review my booking"),
        )
        return helper

    def answers(self):
        """The Appointment fields these answers fill (JSON-safe, for the session)."""
        data = self.cleaned_data
        version = data["consent_version"]
        return {
            "patient_name": data["full_name"],
            "patient_email": data["email"],
            "patient_phone": data["phone"],
            "pain_duration_weeks": data["pain_duration_weeks"],
            "pain_intensity": data["pain_intensity"],
            "description": data["description"],
            "consent_version": version,
            "consent_text": consent.wording(version),
            "consent_given_at": timezone.now().isoformat(),
        }


def parse_slot(value):
    """(clinician id, aware UTC start) from a time button's value
    "<clinician id>|<ISO start>", or None if it is not one."""
    clinician_id, _, starts = str(value).partition("|")
    try:
        starts_at = datetime.datetime.fromisoformat(starts)
        clinician_id = int(clinician_id)
    except ValueError:
        return None
    # Out of any database integer's or the calendar's range: not a time we offered.
    if starts_at.tzinfo is None or not 0 < clinician_id < 2**31 or not 2000 < starts_at.year < 2200:
        return None
    return clinician_id, starts_at.astimezone(datetime.UTC)


def slot_value(slot):
    return f"{slot.clinician_id}|{slot.starts_at.isoformat()}"


class WaitlistForm(forms.Form):
    """Asking to hear about an earlier time: who to tell and until when."""

    CONSENT_TEXT = (
        "Email me when an earlier time comes free for this appointment. I can leave the "
        "waitlist at any time from the link in each email."
    )

    full_name = forms.CharField(
        label="Your name",
        max_length=120,
        error_messages={"required": "Please give your name."},
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We email you here when a time comes free.",
        error_messages={
            "required": "Please give your email address, so we can tell you.",
            "invalid": "Please give an email address like name@example.com.",
        },
    )
    phone = forms.CharField(label="Phone number (optional)", max_length=40, required=False)
    before = forms.DateField(
        label="Tell me about free times before",
        help_text="A date, e.g. 24/12/2026.",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Please give the date you would like to be seen before.",
            "invalid": "Please give a date like 24/12/2026.",
        },
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": "Please agree to be emailed, or we cannot tell you."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse("booking:waitlist")
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", "Put me on the waitlist"))

    def clean_full_name(self):
        name = self.cleaned_data["full_name"].strip()
        if not name or any(ord(character) < 32 for character in name):
            raise forms.ValidationError("Please give your name as plain text.")
        return name

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and (
            any(ord(character) < 32 for character in phone)
            or not any(character.isdigit() for character in phone)
        ):
            raise forms.ValidationError("Please give a phone number like 020 7946 0958.")
        return phone

    def clean_before(self):
        before = self.cleaned_data["before"]
        today = timezone.localdate(timezone.now(), clinic_zone())
        last = today + datetime.timedelta(weeks=settings.BOOKING_HORIZON_WEEKS)
        if before <= today + datetime.timedelta(days=1):
            raise forms.ValidationError("Please give a date after tomorrow.")
        if before > last:
            raise forms.ValidationError(
                f"Please give a date within the next {settings.BOOKING_HORIZON_WEEKS} weeks: "
                "we do not book further ahead."
            )
        return before
