from clinic.images import delete_renditions, make_renditions


def refresh_image_renditions(*, stretch):
    """Make the phone-sized copies of a stretch's image after it was saved
    (and remove those of an image that was replaced or cleared)."""
    storage = stretch.image.storage
    delete_renditions(storage, stretch.image_renditions)
    stretch.image_renditions = make_renditions(stretch.image) if stretch.image else []
    stretch.save(update_fields=["image_renditions"])
