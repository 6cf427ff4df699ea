"""The error summary a form page shows above the form: every error, each
linked to its field, announced to screen readers."""

from django import forms
from django.template.loader import render_to_string


class PatientForm(forms.Form):
    full_name = forms.CharField()
    email = forms.EmailField()
    preferred_contact = forms.ChoiceField(
        choices=[("email", "Email"), ("phone", "Phone")], widget=forms.RadioSelect
    )
    consent = forms.BooleanField(label="I agree")

    def clean(self):
        raise forms.ValidationError("Please check the form.")


def test_each_error_links_to_its_field():
    form = PatientForm({"email": "not an email"})
    html = render_to_string("_error_summary.html", {"form": form})
    assert 'role="alert"' in html
    assert "There are problems with your request" in html
    assert "<li>Please check the form.</li>" in html
    assert '<a href="#id_full_name">Full name – This field is required.</a>' in html
    assert '<a href="#id_email">Email – Enter a valid email address.</a>' in html
    # A group of radio buttons is reached through its first button.
    assert '<a href="#id_preferred_contact_0">' in html
    assert '<a href="#id_consent">I agree – This field is required.</a>' in html


def test_a_valid_or_unsent_form_shows_nothing():
    assert render_to_string("_error_summary.html", {"form": PatientForm()}).strip() == ""
