"""With MEDIA_STORAGE=s3, uploads live in an S3-compatible bucket (through
django-storages) that every app server shares: stretch images, their
renditions and clinician photos are written there, pages point browsers at
them, and they load over HTTP. The bucket is moto's real S3 server on a
loopback port, not an in-process mock."""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from html import unescape

import boto3
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from stretches.models import Stretch
from tests.booking.builders import make_clinician
from tests.images import image_bytes, image_upload
from tests.live_site import PROJECT, free_port
from tests.test_stretch_admin import stretch_form

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "clinic-test",
    "AWS_SECRET_ACCESS_KEY": "clinic-test-secret",
    "AWS_S3_REGION_NAME": "eu-west-2",
}


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free loopback port, for the module's tests."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def settings_with(env):
    """The site's settings as production would load them with `env`."""
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps({'default': settings.STORAGES['default'], "
        "'img_src': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']}, default=str))"
    )
    clean = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=PROJECT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "clinic.settings"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """A new bucket, made the site's default storage by its own settings code."""
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    name = f"clinic-media-{uuid.uuid4().hex[:10]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-2")
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    # As the README asks of a real bucket: anyone may read, only the site write.
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read_policy(name)))
    loaded = settings_with(
        CREDENTIALS
        | {
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": name,
            "AWS_S3_ENDPOINT_URL": s3_endpoint,
        }
    )
    settings.STORAGES = settings.STORAGES | {"default": loaded["default"]}
    return client, name


def public_read_policy(bucket_name):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket_name}/*",
            }
        ],
    }


def stored_names(client, bucket_name):
    listing = client.list_objects_v2(Bucket=bucket_name)
    return {item["Key"] for item in listing.get("Contents", [])}


def image_addresses(html):
    srcsets = [unescape(s) for s in re.findall(r'srcset="([^"]+)"', html)]
    sources = [unescape(s) for s in re.findall(r'<img[^>]* src="([^"]+)"', html)]
    addresses = sources + [part.split()[0] for srcset in srcsets for part in srcset.split(",")]
    return [address for address in addresses if not address.startswith("/static/")]


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_production_settings_point_media_and_the_content_policy_at_the_bucket():
    loaded = settings_with(
        {
            "DEBUG": "0",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "clinic.example",
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": "clinic-media",
            "AWS_S3_CUSTOM_DOMAIN": "media.clinic.example",
        }
    )
    assert loaded["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = loaded["default"]["OPTIONS"]
    assert options["bucket_name"] == "clinic-media"
    assert options["querystring_auth"] is False  # cached pages never hold expiring links
    assert options["file_overwrite"] is False
    assert loaded["img_src"] == ["'self'", "https://media.clinic.example"]


def test_media_stay_on_local_disk_unless_s3_is_configured():
    loaded = settings_with({})
    assert loaded["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert loaded["img_src"] == ["'self'"]


def test_s3_without_a_bucket_name_refuses_to_start():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        | {"MEDIA_STORAGE": "s3"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME" in result.stderr


@pytest.mark.django_db
def test_a_stretch_image_uploaded_in_the_admin_and_its_renditions_are_served_from_the_bucket(
    bucket, admin_client, client, s3_endpoint
):
    s3, bucket_name = bucket
    cobra = Stretch.objects.get(slug="cobra-stretch")
    response = admin_client.post(
        reverse("admin:stretches_stretch_change", args=[cobra.pk]),
        stretch_form(cobra, image=image_upload("cobra.jpg", size=(1200, 800)), image_alt="Cobra"),
    )
    assert response.status_code == 302

    cobra.refresh_from_db()
    renditions = [rendition["name"] for rendition in cobra.image_renditions]
    assert len(renditions) == 3
    assert stored_names(s3, bucket_name) == {cobra.image.name, *renditions}

    html = client.get(cobra.get_absolute_url()).content.decode()
    addresses = image_addresses(html)
    for name in renditions:
        assert f"{s3_endpoint}/{bucket_name}/{name}" in addresses
    for address in addresses:
        assert address.startswith(f"{s3_endpoint}/{bucket_name}/"), address
        status, headers, body = fetch(address)
        assert status == 200
        assert headers["Content-Type"] == "image/webp"
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert body[8:12] == b"WEBP"


@pytest.mark.django_db
def test_two_uploads_with_one_file_name_keep_their_own_objects(bucket, admin_client):
    s3, bucket_name = bucket
    cobra, child = Stretch.objects.published()[:2]
    for stretch, colour in ((cobra, (200, 30, 30)), (child, (30, 30, 200))):
        admin_client.post(
            reverse("admin:stretches_stretch_change", args=[stretch.pk]),
            stretch_form(stretch, image=image_upload("back.jpg", colour=colour), image_alt="Back"),
        )
        stretch.refresh_from_db()
    assert cobra.image.name != child.image.name
    assert {cobra.image.name, child.image.name} <= stored_names(s3, bucket_name)


@pytest.mark.django_db
def test_clearing_a_stretch_image_removes_its_objects_from_the_bucket(
    bucket, admin_client, django_capture_on_commit_callbacks
):
    s3, bucket_name = bucket
    cobra = Stretch.objects.get(slug="cobra-stretch")
    change = reverse("admin:stretches_stretch_change", args=[cobra.pk])
    admin_client.post(change, stretch_form(cobra, image=image_upload(), image_alt="Cobra"))
    assert len(stored_names(s3, bucket_name)) == 4

    cobra.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change, stretch_form(cobra, **{"image-clear": "on"}))
    assert response.status_code == 302
    assert stored_names(s3, bucket_name) == set()


@pytest.mark.django_db
def test_a_clinician_photo_is_stored_in_the_bucket_and_shown_from_it(bucket, client, s3_endpoint):
    s3, bucket_name = bucket
    clinician = make_clinician(photo_alt="Dr Test smiling at the front desk")
    clinician.photo.save("dr-test.jpg", ContentFile(image_bytes((400, 400))))
    assert clinician.photo.name in stored_names(s3, bucket_name)

    response = client.get(clinician.get_absolute_url())
    assert response.status_code == 200
    address = f"{s3_endpoint}/{bucket_name}/{clinician.photo.name}"
    assert f'src="{address}"' in response.content.decode()
    status, headers, body = fetch(address)
    assert status == 200
    assert headers["Content-Type"] == "image/jpeg"
    assert body[:2] == b"\xff\xd8"
