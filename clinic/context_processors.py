from django.conf import settings


def clinic(request):
    """The clinic's identity and safety numbers, for every page."""
    return {
        "clinic_name": settings.CLINIC_NAME,
        "emergency_number": settings.EMERGENCY_NUMBER,
        "urgent_advice_number": settings.URGENT_ADVICE_NUMBER,
        "consultation_response_days": settings.CONSULTATION_RESPONSE_DAYS,
    }
