"""The consultation form's safety screen.

Written from the clinic's red-flag reference (NHS and physiotherapy guidance
on cauda equina syndrome and other serious causes of back pain): plain
questions, grouped by how fast the patient needs care. The codes are stored
with each request, so change a wording freely but never reuse a code for a
different question.
"""

from django.db import models


class Urgency(models.IntegerChoices):
    """How soon a patient should be seen, from their answers. Higher sorts
    first for staff."""

    ROUTINE = 0, "Routine"
    URGENT = 1, "Urgent: same-day care advised"
    EMERGENCY = 2, "Emergency: advised to seek emergency care now"


# Possible cauda equina syndrome: emergency care now.
EMERGENCY_SIGNS = {
    "saddle_numbness": (
        "Numbness, tingling or loss of feeling between your inner thighs, around your genitals "
        "or back passage, or in your buttocks (where you would sit on a bike saddle)"
    ),
    "bladder": (
        "New problems passing urine: difficulty starting, stopping or controlling it, leaking, "
        "or not being able to tell when your bladder is full or empty"
    ),
    "bowel": ("New loss of control of your bowels, or loss of feeling when you open your bowels"),
    "sexual_function": (
        "A new change in sexual function, such as loss of feeling in your genitals during sex"
    ),
    "both_legs": (
        "Weakness, numbness or heaviness in both legs, or pain down both legs, that is severe "
        "or getting worse, or new difficulty walking"
    ),
}

# Serious causes that need a doctor today, not a routine consultation.
URGENT_SIGNS = {
    "injury": "Your back pain started after a fall, a road accident or a heavy blow",
    "fever": "You have a high temperature or feel generally unwell as well as the back pain",
    "cancer": "You have had cancer at any time",
    "weight_loss": "You have lost weight recently without trying",
    "worsening_pain": (
        "Your pain is severe and keeps getting worse, is different from your usual pain, "
        "or is worst at night and not eased by rest"
    ),
}

ALL_SIGNS = EMERGENCY_SIGNS | URGENT_SIGNS


def urgency_of(codes):
    """The urgency that a set of ticked red-flag codes calls for."""
    codes = set(codes)
    if codes & EMERGENCY_SIGNS.keys():
        return Urgency.EMERGENCY
    if codes & URGENT_SIGNS.keys():
        return Urgency.URGENT
    return Urgency.ROUTINE


def describe(codes):
    """The questions behind stored codes, for staff (unknown codes shown as is)."""
    return [ALL_SIGNS.get(code, code) for code in codes]
