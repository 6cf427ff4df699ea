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
    DISCUSS_SOON = 1, "Discuss soon: a clinician should read it first"
    URGENT = 2, "Urgent: same-day care advised"
    EMERGENCY = 3, "Emergency: advised to seek emergency care now"


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

# Signs that raise the chance of a serious cause (fracture, infection,
# cancer): not same-day care, but a clinician weighs them before a routine
# appointment. The patient sees no alarm for these.
DISCUSS_SOON_SIGNS = {
    "weak_immunity": (
        "Your immune system is weakened, for example by chemotherapy, HIV or medicines that "
        "suppress it, or you inject drugs"
    ),
    "fragile_bones": (
        "You have osteoporosis (thinning bones) or have taken steroid tablets for a long time, "
        "and this pain began after a small strain or lift"
    ),
    "onset_age": "Your back pain first began when you were under 20 or over 50",
    "upper_back": (
        "Your pain is mainly in your upper or middle back, such as between your shoulder "
        "blades, rather than your lower back"
    ),
}

ALL_SIGNS = EMERGENCY_SIGNS | URGENT_SIGNS | DISCUSS_SOON_SIGNS

SIGNS_BY_URGENCY = {
    Urgency.EMERGENCY: EMERGENCY_SIGNS,
    Urgency.URGENT: URGENT_SIGNS,
    Urgency.DISCUSS_SOON: DISCUSS_SOON_SIGNS,
}


def urgency_of(codes):
    """The highest urgency that a set of ticked red-flag codes calls for."""
    codes = set(codes)
    return max(
        (urgency for urgency, signs in SIGNS_BY_URGENCY.items() if codes & signs.keys()),
        default=Urgency.ROUTINE,
    )


def describe(codes):
    """The questions behind stored codes, for staff (unknown codes shown as is)."""
    return [ALL_SIGNS.get(code, code) for code in codes]
