"""The reviewed safety advice (consultations.clinical_wording) for templates.

Plain text, escaped on HTML pages and left as is in plain-text emails."""

from django import template

from consultations import clinical_wording

register = template.Library()


@register.simple_tag
def emergency_advice():
    return clinical_wording.emergency_advice()


@register.simple_tag
def urgent_advice():
    return clinical_wording.urgent_advice()


@register.simple_tag
def discuss_soon_note():
    return clinical_wording.DISCUSS_SOON_NOTE
