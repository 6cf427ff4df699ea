from clinic.images import delete_files_on_commit, make_renditions

from .models import SiteSettings


def refresh_logo_renditions(*, site, previous_logo=""):
    """Make WebP copies of the logo at the height the header shows it, and
    twice that for sharp screens, so a large upload never reaches a page.
    The files of the logo it replaced (`previous_logo`) and their copies are
    removed."""
    stale = [rendition["name"] for rendition in site.logo_renditions]
    site.logo_renditions = []
    if site.logo:
        height = site.LOGO_HEIGHT
        widths = [round(site.logo_width * h / site.logo_height) for h in (height, 2 * height)]
        site.logo_renditions = make_renditions(site.logo, widths=widths)
    site.save(update_fields=["logo_renditions"])
    if previous_logo and not SiteSettings.objects.filter(logo=previous_logo).exists():
        stale.append(previous_logo)
    kept = {site.logo.name, *(rendition["name"] for rendition in site.logo_renditions)}
    delete_files_on_commit(site.logo.storage, [name for name in stale if name not in kept])
