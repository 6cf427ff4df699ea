from clinic.images import delete_files_on_commit, make_renditions

from .models import Stretch


def refresh_image_renditions(*, stretch, previous_image=""):
    """Make the phone-sized copies of a stretch's image after it was saved,
    and remove the files it no longer uses: its earlier copies and, when
    `previous_image` names the image it replaced or cleared, that file."""
    stale = [rendition["name"] for rendition in stretch.image_renditions]
    stretch.image_renditions = make_renditions(stretch.image) if stretch.image else []
    stretch.save(update_fields=["image_renditions"])
    if previous_image and not Stretch.objects.filter(image=previous_image).exists():
        stale.append(previous_image)
    kept = {stretch.image.name, *(rendition["name"] for rendition in stretch.image_renditions)}
    delete_files_on_commit(stretch.image.storage, [name for name in stale if name not in kept])


def delete_image_files(*, stretch):
    """Remove a deleted stretch's image and its copies from storage."""
    names = [rendition["name"] for rendition in stretch.image_renditions]
    if stretch.image and not Stretch.objects.filter(image=stretch.image.name).exists():
        names.append(stretch.image.name)
    delete_files_on_commit(stretch.image.storage, names)
