"""Uploaded stretch images are real, bounded images, served to phones as
narrower WebP renditions with their size set; pages are whole without one."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from PIL import Image

from clinic.images import MAX_UPLOAD_BYTES, validate_image
from stretches.models import Stretch
from tests.images import image_bytes, image_upload
from tests.test_stretch_admin import stretch_form


def error_code(upload):
    with pytest.raises(ValidationError) as error:
        validate_image(upload)
    return error.value.code


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_real_images_are_accepted(image_format):
    validate_image(image_upload(size=(640, 480), image_format=image_format))


def test_a_file_that_is_not_an_image_is_refused():
    upload = SimpleUploadedFile("pose.jpg", b"<?php echo 'hello'; ?>", content_type="image/jpeg")
    assert error_code(upload) == "not_an_image"


def test_a_truncated_image_is_refused():
    data = image_bytes(image_format="PNG")
    upload = SimpleUploadedFile("pose.png", data[: len(data) // 2], content_type="image/png")
    assert error_code(upload) == "not_an_image"


def test_an_image_in_another_format_is_refused():
    assert error_code(image_upload("pose.gif", size=(64, 64), image_format="GIF")) == "image_format"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    upload = SimpleUploadedFile("pose.jpg", b"\0" * (MAX_UPLOAD_BYTES + 1))
    assert error_code(upload) == "image_too_large"


@pytest.mark.parametrize("size", [(6000, 5000), (12000, 12000)])
def test_a_decompression_bomb_is_refused_not_decoded(size):
    """30 megapixels is over the limit (Pillow would only warn); 144 is over
    twice the limit (Pillow refuses). Both are a few kilobytes of PNG."""
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, "PNG")
    upload = SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")
    assert error_code(upload) == "image_too_many_pixels"


@pytest.mark.django_db
def test_staff_upload_makes_phone_sized_renditions_shown_with_srcset(admin_client, client):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    data = stretch_form(cobra, image=image_upload(size=(1200, 800)), image_alt="A woman in cobra")
    response = admin_client.post(reverse("admin:stretches_stretch_change", args=[cobra.pk]), data)
    assert response.status_code == 302
    cobra.refresh_from_db()
    assert [(r["width"], r["height"]) for r in cobra.image_renditions] == [
        (320, 213),
        (640, 427),
        (960, 640),
    ]
    for rendition in cobra.image_renditions:
        with default_storage.open(rendition["name"]) as stored, Image.open(stored) as image:
            assert (image.format, image.width) == ("WEBP", rendition["width"])

    html = client.get(cobra.get_absolute_url()).content.decode()
    srcset = ", ".join(f"/media/{r['name']} {r['width']}w" for r in cobra.image_renditions)
    assert f'srcset="{srcset}"' in html
    assert 'width="640" height="427"' in html
    assert 'alt="A woman in cobra"' in html
    assert 'sizes="' in html
    # The guide lists the same image, loaded only when scrolled to.
    assert 'loading="lazy"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_small_image_is_never_enlarged(admin_client):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    data = stretch_form(cobra, image=image_upload(size=(500, 500)), image_alt="Cobra")
    admin_client.post(reverse("admin:stretches_stretch_change", args=[cobra.pk]), data)
    cobra.refresh_from_db()
    assert [r["width"] for r in cobra.image_renditions] == [320, 500]


@pytest.mark.django_db
def test_clearing_the_image_removes_it_and_its_renditions(
    admin_client, client, django_capture_on_commit_callbacks
):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    url = reverse("admin:stretches_stretch_change", args=[cobra.pk])
    admin_client.post(url, stretch_form(cobra, image=image_upload(), image_alt="Cobra"))
    cobra.refresh_from_db()
    names = [cobra.image.name, *(r["name"] for r in cobra.image_renditions)]
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, stretch_form(cobra, **{"image-clear": "on"}))
    cobra.refresh_from_db()
    assert cobra.image_renditions == []
    assert not any(default_storage.exists(name) for name in names)
    assert client.get(cobra.get_absolute_url()).content.decode().count("<img") == 1  # the logo


@pytest.mark.django_db
def test_admin_refuses_a_file_that_is_not_an_image(admin_client):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    fake = SimpleUploadedFile("cobra.jpg", b"not an image", content_type="image/jpeg")
    response = admin_client.post(
        reverse("admin:stretches_stretch_change", args=[cobra.pk]),
        stretch_form(cobra, image=fake, image_alt="Cobra"),
    )
    assert response.status_code == 200
    cobra.refresh_from_db()
    assert not cobra.image


@pytest.mark.django_db
def test_pages_are_whole_without_any_image(client):
    assert not Stretch.objects.exclude(image="").exists()
    for path in ["/", "/stretches/", "/stretches/cobra-stretch/"]:
        html = client.get(path).content.decode()
        assert "<img" in html  # the clinic's logo only
        assert html.count("<img") == 1


@pytest.mark.django_db
def test_a_command_makes_renditions_for_images_added_another_way(client):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    cobra.image = image_upload(size=(800, 600))
    cobra.image_alt = "Cobra"
    cobra.save()
    assert 'src="/media/stretches/stretch' in client.get(cobra.get_absolute_url()).content.decode()
    call_command("make_image_renditions", stdout=io.StringIO())
    cobra.refresh_from_db()
    assert [r["width"] for r in cobra.image_renditions] == [320, 640, 800]
    assert "srcset=" in client.get(cobra.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_admin_refuses_a_100_megapixel_bomb_with_a_clear_message(admin_client):
    """An 11 KB PNG that would decode to 100 megapixels: Django's ImageField
    alone lets it through with a warning."""
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")
    assert len(buffer.getvalue()) < 20_000
    bomb = SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")
    cobra = Stretch.objects.get(slug="cobra-stretch")
    response = admin_client.post(
        reverse("admin:stretches_stretch_change", args=[cobra.pk]),
        stretch_form(cobra, image=bomb, image_alt="Cobra"),
    )
    assert response.status_code == 200
    assert "megapixels" in response.content.decode()
    cobra.refresh_from_db()
    assert not cobra.image


def upload_in_admin(admin_client, stretch, upload):
    response = admin_client.post(
        reverse("admin:stretches_stretch_change", args=[stretch.pk]),
        stretch_form(stretch, image=upload, image_alt=stretch.title),
    )
    assert response.status_code == 302
    stretch.refresh_from_db()
    return [stretch.image.name, *(r["name"] for r in stretch.image_renditions)]


def colour_of(name):
    with default_storage.open(name) as stored, Image.open(stored) as image:
        return image.convert("RGB").getpixel((5, 5))


def close(colour, expected):
    return all(abs(a - b) < 12 for a, b in zip(colour, expected, strict=True))


RED, BLUE, GREEN = (200, 30, 30), (30, 30, 200), (30, 160, 60)


@pytest.mark.django_db
def test_back_jpg_and_back_png_on_two_stretches_keep_their_own_pictures(
    admin_client, client, django_capture_on_commit_callbacks
):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    child = Stretch.objects.get(slug="childs-pose")
    with django_capture_on_commit_callbacks(execute=True):
        cobra_files = upload_in_admin(admin_client, cobra, image_upload("back.jpg", colour=RED))
        child_files = upload_in_admin(
            admin_client, child, image_upload("back.png", image_format="PNG", colour=BLUE)
        )
    assert not set(cobra_files) & set(child_files)
    assert all(close(colour_of(name), RED) for name in cobra_files)
    assert all(close(colour_of(name), BLUE) for name in child_files)
    child_page = client.get(child.get_absolute_url()).content.decode()
    assert all(f"/media/{name}" in child_page for name in child_files[1:])
    assert not any(name in child_page for name in cobra_files)

    # Replacing the cobra's picture removes its old files and none of the child's pose.
    with django_capture_on_commit_callbacks(execute=True):
        new_files = upload_in_admin(admin_client, cobra, image_upload("back.jpg", colour=GREEN))
    assert not any(default_storage.exists(name) for name in cobra_files)
    assert all(default_storage.exists(name) for name in child_files + new_files)
    assert all(close(colour_of(name), BLUE) for name in child_files)
    assert all(close(colour_of(name), GREEN) for name in new_files)


@pytest.mark.django_db
def test_an_image_replaced_under_the_same_name_gets_renditions_of_its_own(
    admin_client, django_capture_on_commit_callbacks
):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    with django_capture_on_commit_callbacks(execute=True):
        first = upload_in_admin(admin_client, cobra, image_upload("back.jpg", colour=RED))
        second = upload_in_admin(admin_client, cobra, image_upload("back.jpg", colour=GREEN))
    assert not set(first[1:]) & set(second[1:])  # browsers never keep the red copies
    assert all(close(colour_of(name), GREEN) for name in second)
    assert not any(default_storage.exists(name) for name in first if name not in second)


@pytest.mark.django_db
def test_deleting_a_stretch_removes_its_image_files(
    admin_client, django_capture_on_commit_callbacks
):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    with django_capture_on_commit_callbacks(execute=True):
        files = upload_in_admin(admin_client, cobra, image_upload("back.jpg"))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:stretches_stretch_delete", args=[cobra.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not Stretch.objects.filter(pk=cobra.pk).exists()
    assert not any(default_storage.exists(name) for name in files)


@pytest.mark.django_db
def test_a_failed_save_keeps_the_files_it_would_have_removed(admin_client):
    cobra = Stretch.objects.get(slug="cobra-stretch")
    files = upload_in_admin(admin_client, cobra, image_upload("back.jpg"))
    with transaction.atomic():
        cobra.delete()
        transaction.set_rollback(True)
    assert all(default_storage.exists(name) for name in files)
