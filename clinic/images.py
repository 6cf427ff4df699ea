"""Uploaded images: checked with Pillow before they are stored, and copied
into narrower WebP renditions so that phones download only what they show."""

import hashlib
import io
import warnings
from pathlib import PurePosixPath

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 24_000_000  # e.g. 6000 × 4000, a large phone photo
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
RENDITION_WIDTHS = (320, 640, 960)

# Pillow warns above MAX_IMAGE_PIXELS and refuses at twice that; validate_image
# turns the warning into an error, so a decompression bomb never gets decoded.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def validate_image(file):
    """Accept only a real JPEG, PNG or WebP image of bounded size and pixel count.

    A file already in storage (an unchanged image on a form saved again) is not
    read again: it was checked when it was uploaded.
    """
    if getattr(file, "_committed", False):
        return
    if file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            "The image is too large (%(size)s MB). Upload one of at most %(max)s MB.",
            code="image_too_large",
            params={
                "size": f"{file.size / 1024 / 1024:.1f}",
                "max": MAX_UPLOAD_BYTES // 1024 // 1024,
            },
        )
    try:
        file.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                image_format, (width, height) = image.format, image.size
                if width * height > MAX_PIXELS:
                    raise Image.DecompressionBombError
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            "The image has too many pixels. Upload one of at most %(max)s megapixels.",
            code="image_too_many_pixels",
            params={"max": MAX_PIXELS // 1_000_000},
        ) from None
    except Exception:  # Pillow raises many kinds of error for a file that is not an image
        raise ValidationError(
            "The file is not an image, or it is damaged. Upload a JPEG, PNG or WebP image.",
            code="not_an_image",
        ) from None
    finally:
        file.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            "Upload a JPEG, PNG or WebP image (this one is %(format)s).",
            code="image_format",
            params={"format": image_format},
        )


def rendition_name(image_name, digest, width):
    path = PurePosixPath(image_name)
    return str(path.parent / "renditions" / f"{path.stem}-{digest}-{width}w.webp")


def make_renditions(field_file, widths=RENDITION_WIDTHS):
    """Write a WebP copy of the image at each of `widths` (never wider than
    the original) and return [{"name", "width", "height"}, ...], narrowest first.

    The copies are named by a digest of the image's stored name and bytes,
    so no two uploads share one: `back.jpg` and `back.png`, or a file
    replaced under the same name, each get their own."""
    storage = field_file.storage
    with field_file.open("rb"):
        data = field_file.read()
    digest = hashlib.blake2b(
        field_file.name.encode() + b"\0" + data, digest_size=5, person=b"rendition"
    ).hexdigest()
    with Image.open(io.BytesIO(data)) as original:
        image = ImageOps.exif_transpose(original)
        if image.mode not in {"RGB", "RGBA"}:
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        renditions = []
        for width in sorted({min(width, image.width) for width in widths}):
            height = max(1, round(image.height * width / image.width))
            resized = image.resize((width, height), Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            resized.save(buffer, "WEBP", quality=80, method=4)
            name = rendition_name(field_file.name, digest, width)
            if storage.exists(name):
                storage.delete(name)
            name = storage.save(name, ContentFile(buffer.getvalue()))
            renditions.append({"name": name, "width": width, "height": height})
    return renditions


def delete_files_on_commit(storage, names):
    """Remove stored files once the transaction that stopped using them has
    committed: a save that fails and rolls back keeps its files."""
    names = sorted({name for name in names if name})
    if names:
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


def picture(storage, renditions, *, default_width=640):
    """What an <img> needs for a set of renditions: src (the widest rendition
    up to `default_width`), srcset, width and height; None without renditions."""
    if not renditions:
        return None
    fallback = [r for r in renditions if r["width"] <= default_width] or renditions[:1]
    default = fallback[-1]
    return {
        "src": storage.url(default["name"]),
        "srcset": ", ".join(f"{storage.url(r['name'])} {r['width']}w" for r in renditions),
        "width": default["width"],
        "height": default["height"],
    }


class CheckedImageFormField(forms.ImageField):
    """Django's image form field, checked by validate_image before Django
    opens the file itself: a decompression bomb then gets its own message
    ("too many pixels") instead of Django's generic "not a valid image"."""

    def to_python(self, data):
        if data not in self.empty_values:
            validate_image(data)
        return super().to_python(data)
