from django.conf import settings


def clinic(request):
    """The clinic's identity, for the header and footer of every page."""
    return {"clinic_name": settings.CLINIC_NAME}
