from clinic.models import SiteSettings


def clinic(request):
    """The clinic's identity, for the header and footer of every page."""
    site = SiteSettings.current()
    return {"site": site, "clinic_name": site.clinic_name}
