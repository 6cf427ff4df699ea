"""The consent wording a patient agrees to, versioned.

Each request stores the version and the exact text that was shown, as proof
of what the patient agreed to. Never edit a published version: add a new one
and make it current, so older requests still point at the words their
patients saw.
"""

CONSENT_WORDING = {
    "2026-11": (
        "I agree that the clinic may store the information in this form and use it to contact "
        "me about a consultation, as described in the privacy notice."
    ),
}

CURRENT_CONSENT_VERSION = "2026-11"


def wording(version=CURRENT_CONSENT_VERSION):
    return CONSENT_WORDING[version]
