"""The staff email's subject says how urgent the request is."""

import pytest

from consultations.models import ConsultationRequest
from consultations.notifications import staff_subject
from consultations.red_flags import Urgency


def subject_for(urgency):
    return staff_subject(ConsultationRequest(pk=42, urgency=urgency))


def test_a_routine_request_has_a_plain_subject():
    assert subject_for(Urgency.ROUTINE) == "New consultation request #42"


def test_an_urgent_request_says_urgent():
    assert subject_for(Urgency.URGENT) == "Urgent: new consultation request #42"


def test_an_emergency_says_emergency():
    assert subject_for(Urgency.EMERGENCY) == "EMERGENCY: new consultation request #42"


@pytest.mark.skipif(
    getattr(Urgency, "DISCUSS_SOON", None) is None, reason="no 'discuss soon' level yet"
)
def test_a_request_to_discuss_soon_says_so():
    assert subject_for(Urgency.DISCUSS_SOON) == "Discuss soon: new consultation request #42"


def test_a_level_not_known_here_is_still_named():
    assert subject_for(9) == "Urgency level 9: new consultation request #42"
