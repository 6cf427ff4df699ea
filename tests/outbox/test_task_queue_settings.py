"""Where the worker's queue lives: in the site's database by default
(SQLite file or PostgreSQL tables), in Redis when TASK_QUEUE=redis."""

import os

import pytest
import redis

from tests.test_settings import run_manage

SHOW_STORAGE = (
    "from huey.contrib.djhuey import HUEY; "
    "HUEY.storage.enqueue(b'job'); "
    "print(type(HUEY.storage).__name__, HUEY.storage.dequeue())"
)


def test_on_sqlite_the_queue_is_a_sqlite_file_beside_the_database(tmp_path):
    database = tmp_path / "site.sqlite3"
    result = run_manage("shell", "-c", SHOW_STORAGE, SQLITE_PATH=str(database))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("SqliteStorage b'job'")
    assert (tmp_path / "site.sqlite3-tasks").exists()


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="needs PostgreSQL")
def test_on_postgresql_the_queue_is_tables_that_migrate_creates(tmp_path):
    from tests.live_site import site_database

    with site_database(tmp_path) as database:
        result = run_manage("shell", "-c", SHOW_STORAGE, **database.env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().endswith("PostgresStorage b'job'")
        assert database.count("huey_task") == 0


def test_the_queue_can_move_to_redis():
    url = "redis://127.0.0.1:6379/1"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    result = run_manage("shell", "-c", SHOW_STORAGE, TASK_QUEUE="redis", REDIS_URL=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("RedisStorage b'job'")


def test_redis_queue_without_redis_url_refuses_to_start():
    result = run_manage("check", TASK_QUEUE="redis", REDIS_URL="")
    assert result.returncode != 0
    assert "TASK_QUEUE=redis needs REDIS_URL" in result.stderr


def test_an_unknown_queue_refuses_to_start():
    result = run_manage("check", TASK_QUEUE="carrier-pigeon")
    assert result.returncode != 0
    assert "TASK_QUEUE must be 'database' or 'redis'" in result.stderr
