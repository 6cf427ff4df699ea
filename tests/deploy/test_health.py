"""/healthz says the process answers; /readyz says it can do its job: the
database, the cache, media storage and the worker's heartbeat all pass."""

import datetime

import pytest
from django.utils import timezone

from clinic.worker import record_heartbeat
from tests.live_site import Patient, free_port

pytestmark = pytest.mark.django_db

EVERY_CHECK = {"database", "cache", "storage", "worker"}


@pytest.fixture
def worker_beat_just_now():
    record_heartbeat()


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ready_when_every_check_passes(client, worker_beat_just_now, settings):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": dict.fromkeys(EVERY_CHECK, "ok")}
    assert "no-cache" in response["Cache-Control"]
    # The storage probe leaves nothing behind.
    assert not any(path.is_file() for path in settings.MEDIA_ROOT.rglob("*"))


def test_readyz_is_503_when_the_workers_heartbeat_is_stale(client):
    record_heartbeat(now=timezone.now() - datetime.timedelta(minutes=10))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == dict.fromkeys(EVERY_CHECK, "ok") | {"worker": "failing"}


def test_readyz_is_503_when_the_worker_never_ran(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "failing"


def test_readyz_is_503_when_the_cache_is_unreachable(client, worker_beat_just_now, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/15",  # nobody listens there
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == dict.fromkeys(EVERY_CHECK, "ok") | {"cache": "failing"}


def test_readyz_is_503_when_media_storage_cannot_be_written(
    client, worker_beat_just_now, settings, tmp_path
):
    not_a_folder = tmp_path / "media-is-a-file"
    not_a_folder.write_text("")
    settings.MEDIA_ROOT = not_a_folder
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == dict.fromkeys(EVERY_CHECK, "ok") | {"storage": "failing"}


def test_health_checks_are_never_redirected_to_https(client, settings, worker_beat_just_now):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/stretches/").status_code == 301


@pytest.mark.server
def test_readyz_is_503_and_healthz_200_when_the_database_is_unreachable(tmp_path):
    from tests.deploy.servers import gunicorn_instance
    from tests.live_site import site_env

    nobody = free_port()
    unreachable = {"DATABASE_URL": f"postgres://postgres@127.0.0.1:{nobody}/clinic_nowhere"}
    env = site_env(unreachable, MEDIA_ROOT=str(tmp_path / "media"))
    with gunicorn_instance(env, tmp_path, name="no-database") as port:
        status, _, body = Patient(port).get("/healthz")
        assert (status, body) == (200, "ok")
        status, _, body = Patient(port).get("/readyz")
        assert status == 503
        assert '"database": "failing"' in body
        assert '"worker": "failing"' in body  # its heartbeat is in the database
        assert '"cache": "ok"' in body
