"""Images made in memory for upload tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(size=(1200, 800), image_format="JPEG", colour=(40, 120, 130)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, image_format)
    return buffer.getvalue()


def image_upload(name="stretch.jpg", size=(1200, 800), image_format="JPEG", colour=(40, 120, 130)):
    content_type = f"image/{image_format.lower()}"
    data = image_bytes(size, image_format, colour)
    return SimpleUploadedFile(name, data, content_type=content_type)
