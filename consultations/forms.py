import re
import time
import uuid

import phonenumbers
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import validate_slug
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html

from stretches.models import Stretch

from . import consent, red_flags
from .models import ConsultationRequest

# Control characters other than tab and line breaks have no place in a form
# and can break emails, exports and terminals.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]")

DAYS = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
]

FORM_TOKEN_SALT = "consultations.request-form"


def issue_form_token(shown=None):
    """A signed token for one filled-in form: it identifies the submission
    (so a double click stores one request) and records when the form was
    shown (so instant, bot-speed submissions can be spotted)."""
    shown = time.time() if shown is None else shown
    return signing.dumps({"id": str(uuid.uuid4()), "shown": shown}, salt=FORM_TOKEN_SALT)


def read_form_token(token):
    """(submission id, seconds since the form was shown), or None if the
    token was not issued by this site."""
    try:
        data = signing.loads(token, salt=FORM_TOKEN_SALT)
        return uuid.UUID(data["id"]), time.time() - float(data["shown"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


class SourceStretchField(forms.ModelChoiceField):
    """The published stretch whose page the patient came from, by slug, in a
    hidden input. It only records where they came from, so it never stands in
    their way: a slug that is not a published stretch (unpublished since, or
    made up) is simply left out, and anything not slug-shaped is dropped
    before it reaches the database."""

    widget = forms.HiddenInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            validate_slug(value)
            return super().to_python(value)
        except forms.ValidationError:
            return None


def tick_boxes(label, choices, help_text):
    """An optional group of checkboxes."""
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=help_text,
    )


class ConsultationRequestForm(forms.ModelForm):
    emergency_signs = tick_boxes(
        "Do you have any of these, new or getting worse?",
        list(red_flags.EMERGENCY_SIGNS.items()),
        "Tick any that apply. Leave them all unticked if none apply.",
    )
    urgent_signs = tick_boxes(
        "Does any of this apply to you?",
        list(red_flags.URGENT_SIGNS.items()),
        "Tick any that apply. Leave them all unticked if none apply.",
    )
    discuss_soon_signs = tick_boxes(
        "Do any of these apply to you as well?",
        list(red_flags.DISCUSS_SOON_SIGNS.items()),
        "Tick any that apply. They help our clinician decide how soon to see you.",
    )
    preferred_days = tick_boxes(
        "Which days suit you?", DAYS, "Leave them all unticked if any day suits you."
    )
    stretch = SourceStretchField(
        queryset=Stretch.objects.published(), to_field_name="slug", required=False
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={
            "required": "Please tick this box so that we can store your request and contact you."
        },
    )
    consent_version = forms.CharField(widget=forms.HiddenInput, max_length=20)
    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)
    source_page = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)
    # A honeypot: hidden from people (and screen readers), filled in by bots.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = ConsultationRequest
        fields = [
            "full_name",
            "email",
            "phone",
            "preferred_contact",
            "preferred_time",
            "pain_duration_weeks",
            "pain_intensity",
            "description",
            "diary_summary",
        ]
        labels = {
            "full_name": "Full name",
            "email": "Email address",
            "phone": "Phone number",
            "preferred_contact": "How should we contact you?",
            "preferred_time": "What time of day suits you?",
            "pain_duration_weeks": "How long have you had this pain?",
            "pain_intensity": "How bad is the pain at the moment, from 0 to 10?",
            "description": "Tell us about your back pain",
            "diary_summary": "This is what will be sent from your pain diary",
        }
        help_texts = {
            "full_name": "Up to 150 characters.",
            "phone": "Include the area code. Needed if you would like us to phone you.",
            "email": "Needed if you would like us to email you.",
            "pain_intensity": "0 means no pain; 10 means the worst pain you can imagine.",
            "description": (
                "For example: how long you have had it, where it hurts, and what makes it "
                "better or worse. Up to 4,000 characters."
            ),
            "diary_summary": (
                "Nothing else from your diary is sent. Untick the box to leave it out."
            ),
        }
        error_messages = {
            "full_name": {"required": "Please tell us your name."},
            "preferred_contact": {"required": "Please choose how we should contact you."},
            "pain_duration_weeks": {"required": "Please choose how long you have had this pain."},
            "description": {"required": "Please tell us a little about your back pain."},
            "email": {"invalid": "Please enter an email address like name@example.com."},
            "diary_summary": {
                "max_length": "The pain diary summary is too long: it can be up to 2,000 "
                "characters. Untick the box to send your request without it."
            },
        }
        widgets = {
            "preferred_contact": forms.RadioSelect,
            "preferred_time": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 6, "maxlength": 4000}),
            # Filled by static/js/diary.js only when the patient ticks the box.
            "diary_summary": forms.Textarea(attrs={"rows": 8, "readonly": ""}),
        }

    def __init__(self, *args, page_path="", **kwargs):
        super().__init__(*args, **kwargs)
        self.page_path = page_path
        self.fields["full_name"].widget.attrs.update(autocomplete="name")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["phone"].widget.attrs.update(autocomplete="tel", maxlength=32)
        self.fields["phone"].max_length = 32
        self.fields["pain_duration_weeks"].choices = [
            ("", "Choose one"),
            *ConsultationRequest.PainDuration.choices,
        ]
        self.fields["pain_intensity"] = forms.TypedChoiceField(
            label=self.fields["pain_intensity"].label,
            help_text=self.fields["pain_intensity"].help_text,
            choices=[("", "Choose a number"), *[(n, str(n)) for n in range(11)]],
            coerce=int,
            error_messages={"required": "Please choose a number from 0 to 10."},
        )
        self.fields["preferred_contact"].choices = ConsultationRequest.ContactMethod.choices
        self.fields["preferred_time"].choices = ConsultationRequest.TimeOfDay.choices
        self.fields["consent"].label = format_html(
            '{} <a href="{}">Read the privacy notice</a>.',
            consent.wording(self._consent_version_shown()),
            reverse("consultations:privacy"),
        )
        self.initial.setdefault("consent_version", consent.CURRENT_CONSENT_VERSION)
        self.initial.setdefault("form_token", issue_form_token())
        self.helper = self._build_helper()

    def _build_helper(self):
        helper = FormHelper()
        helper.form_tag = True
        helper.form_method = "post"
        helper.form_action = reverse("consultations:request")
        helper.attrs = {"novalidate": ""}
        helper.layout = Layout(
            Fieldset(
                "Before you start: warning signs",
                HTML('{% include "consultations/_red_flag_intro.html" %}'),
                "emergency_signs",
                "urgent_signs",
                HTML('{% include "consultations/_red_flag_advice.html" %}'),
                "discuss_soon_signs",
                css_id="warning-signs",
            ),
            Fieldset(
                "About you",
                "full_name",
                "email",
                "phone",
                "preferred_contact",
            ),
            Fieldset("When to contact you", "preferred_days", "preferred_time"),
            Fieldset(
                "About your back pain",
                "pain_duration_weeks",
                "pain_intensity",
                HTML('{% include "consultations/_source_stretch.html" %}'),
                "description",
                HTML('{% include "consultations/_diary_summary.html" %}'),
                Div("diary_summary", css_id="diary-summary-preview", hidden=""),
            ),
            Fieldset("Your consent", "consent"),
            Div("website", css_class="hp-field", aria_hidden="true"),
            "stretch",
            "consent_version",
            "form_token",
            "source_page",
            Submit("submit", "Send my request"),
        )
        return helper

    def _consent_version_shown(self):
        """The consent wording this form shows: the one the patient first saw,
        when the form comes back to them with an error."""
        version = self.data.get("consent_version") if self.is_bound else None
        return version if version in consent.CONSENT_WORDING else consent.CURRENT_CONSENT_VERSION

    @cached_property
    def source_stretch(self):
        """The stretch the patient came from, to show them (one query)."""
        field = self["stretch"]
        return self.fields["stretch"].to_python(field.value())

    # Field checks -----------------------------------------------------------

    def _clean_text(self, name, *, single_line):
        value = self.cleaned_data.get(name, "")
        if CONTROL_CHARACTERS.search(value):
            raise forms.ValidationError(
                "Please remove the invisible control characters from this field."
            )
        if single_line and LINE_BREAKS.search(value):
            raise forms.ValidationError("Please write this on one line.")
        return value

    def clean_full_name(self):
        return self._clean_text("full_name", single_line=True)

    def clean_description(self):
        return self._clean_text("description", single_line=False)

    def clean_diary_summary(self):
        # Browsers send a text box's line breaks as CRLF: store the text as shown.
        text = self._clean_text("diary_summary", single_line=False)
        return text.replace("\r\n", "\n").strip()

    def clean_email(self):
        return self._clean_text("email", single_line=True).lower()

    def clean_phone(self):
        raw = self._clean_text("phone", single_line=True)
        if not raw:
            return ""
        try:
            number = phonenumbers.parse(raw, settings.PHONE_REGION)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(
                "Please enter a phone number we can call, including the area code, "
                "for example 020 7946 0958 or +44 20 7946 0958."
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean_consent_version(self):
        # Every published wording is kept, so an unknown version can only be
        # a tampered form, which showed the current wording.
        version = self.cleaned_data["consent_version"]
        return version if version in consent.CONSENT_WORDING else consent.CURRENT_CONSENT_VERSION

    def clean_form_token(self):
        token = self.cleaned_data["form_token"]
        if read_form_token(token) is None:
            # Not a token this site issued (or the site's key changed since the
            # page was opened): ask the patient to send again, with a new token
            # that counts the form as already filled in.
            self.data = self.data.copy()
            self.data["form_token"] = issue_form_token(
                shown=time.time() - settings.CONSULTATION_MIN_FILL_SECONDS
            )
            raise forms.ValidationError(
                "This form had expired. Please check your details and send it again."
            )
        return token

    def clean(self):
        cleaned = super().clean()
        # The chosen way of contact becomes required (unless it already has an error).
        missing = {
            ConsultationRequest.ContactMethod.EMAIL: (
                "email",
                "Please give your email address, so we can email you.",
            ),
            ConsultationRequest.ContactMethod.PHONE: (
                "phone",
                "Please give your phone number, so we can call you.",
            ),
        }.get(cleaned.get("preferred_contact"))
        if missing and not cleaned.get(missing[0]) and missing[0] not in self.errors:
            self.add_error(*missing)
        if "form_token" in self.errors:
            # A hidden field's error would not be seen next to it: show it above the form.
            self.add_error(None, self.errors.pop("form_token"))
        return cleaned

    # What the submission means ------------------------------------------------

    @property
    def is_spam(self):
        """A filled honeypot or a form sent faster than a person could fill it in."""
        if self.cleaned_data.get("website"):
            return True
        _, seconds_since_shown = read_form_token(self.cleaned_data["form_token"])
        return seconds_since_shown < settings.CONSULTATION_MIN_FILL_SECONDS

    @property
    def red_flag_codes(self):
        return [
            *self.cleaned_data["emergency_signs"],
            *self.cleaned_data["urgent_signs"],
            *self.cleaned_data["discuss_soon_signs"],
        ]

    def build_request(self):
        """The unsaved request, with the consent proof and the submission's
        token."""
        consultation = self.save(commit=False)
        consultation.preferred_days = self.cleaned_data["preferred_days"]
        consultation.red_flags = self.red_flag_codes
        consultation.source_stretch = self.cleaned_data["stretch"]
        consultation.source_page = self.cleaned_data["source_page"]
        version = self.cleaned_data["consent_version"]
        consultation.consent_version = version
        consultation.consent_text = consent.wording(version)
        consultation.consent_given_at = timezone.now()
        consultation.consent_page = self.page_path
        consultation.submission_token, _ = read_form_token(self.cleaned_data["form_token"])
        return consultation
