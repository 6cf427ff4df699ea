"""The safety advice the site gives patients, in one place for clinical review.

Written from the clinic's red-flag reference (shared/clinical/red-flags.md).
Every page and email that gives this advice renders it from here, through the
`safety_advice` template tags: the form's advice, the thanks page, the 429 and
503 pages and the patient's acknowledgement email. Change the wording here,
have a clinician review it, and every place changes at once.

The texts are plain (no markup), since the email is plain text; the numbers
come from settings, so the pages render without a request or the database.
"""

from django.conf import settings

EMERGENCY_ADVICE = (
    "Numbness around your bottom or genitals, new problems controlling your bladder or "
    "bowels, or weakness in both legs can be signs that nerves in your lower back are being "
    "squeezed, which needs treatment within hours. If you have any of these, do not wait for "
    "us: go to your nearest emergency department or call {emergency_number} now, and do not "
    "drive yourself."
)

URGENT_ADVICE = (
    "Please see a doctor today: contact your GP{or_call_advice_line}. Do not wait for us."
)

# No alarm: these signs are for a clinician to weigh, not for same-day care.
DISCUSS_SOON_NOTE = "A clinician will look at your answers first, before we book your consultation."


def emergency_advice():
    return EMERGENCY_ADVICE.format(emergency_number=settings.EMERGENCY_NUMBER)


def urgent_advice():
    number = settings.URGENT_ADVICE_NUMBER
    return URGENT_ADVICE.format(or_call_advice_line=f" or call {number}" if number else "")
