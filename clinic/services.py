from clinic.images import delete_renditions, make_renditions


def refresh_logo_renditions(*, site):
    """Make WebP copies of the logo at the height the header shows it, and
    twice that for sharp screens, so a large upload never reaches a page."""
    delete_renditions(site.logo.storage, site.logo_renditions)
    site.logo_renditions = []
    if site.logo:
        height = site.LOGO_HEIGHT
        widths = [round(site.logo_width * h / site.logo_height) for h in (height, 2 * height)]
        site.logo_renditions = make_renditions(site.logo, widths=widths)
    site.save(update_fields=["logo_renditions"])
