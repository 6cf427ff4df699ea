from django.conf import settings

from clinic.models import SiteSettings


def clinic(request):
    """The clinic's identity and safety numbers, for every page."""
    site = SiteSettings.current(request)
    return {
        "site": site,
        "clinic_name": site.clinic_name,
        "emergency_number": settings.EMERGENCY_NUMBER,
        "urgent_advice_number": settings.URGENT_ADVICE_NUMBER,
        "consultation_response_days": settings.CONSULTATION_RESPONSE_DAYS,
    }
