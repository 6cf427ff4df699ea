"""The production layout on loopback, for tests and the mixed-load benchmark:
Debian's nginx with deploy/nginx/clinic.conf in front of two gunicorn
instances (deploy/gunicorn.conf.py) and one worker, sharing one database,
Redis (the cache and the task queue) and one media folder.

    with deployment(tmp_path) as site:
        site.url, site.instances, site.worker_log, site.database, site.mail
"""

import contextlib
import getpass
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from tests.live_site import PROJECT, Patient, free_port, manage, site_database, site_env
from tests.outbox.smtp_sink import smtp_sink

NGINX = Path(os.environ.get("NGINX", "/usr/sbin/nginx"))
NGINX_SITE = PROJECT / "deploy" / "nginx" / "clinic.conf"
GUNICORN_CONFIG = PROJECT / "deploy" / "gunicorn.conf.py"
# The tests' own Redis database: flushed when a deployment starts.
REDIS_URL = os.environ.get("DEPLOY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def wait_for(condition, *, timeout=30, message="timed out"):
    """Poll a real process's progress; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.1)


def answers(port, path="/healthz"):
    try:
        return Patient(port).get(path)[0] == 200
    except OSError:
        return False


@contextlib.contextmanager
def process(command, env, log_path, *, stop_timeout=20):
    with log_path.open("w") as log:
        child = subprocess.Popen(
            command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield child
        finally:
            stop_child(child, stop_timeout)


def stop_child(child, timeout):
    """TERM, then KILL if it has not gone within `timeout` seconds."""
    child.terminate()
    try:
        child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


class AppServer:
    """One gunicorn instance with the production config, which a test can
    reload (as `systemctl reload` does), stop and start again on its port.
    Its output, across restarts, is in gunicorn-NAME.log."""

    def __init__(self, env, tmp_path, *, name, workers=2):
        self.port = free_port()
        self.name, self.workers = name, workers
        self.env = env | {
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
        }
        self.log_path = tmp_path / f"gunicorn-{name}.log"
        self.master = None

    def start(self):
        command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), "clinic.wsgi"]
        with self.log_path.open("a") as log:
            self.master = subprocess.Popen(
                command, cwd=PROJECT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

        def serving():
            assert self.master.poll() is None, self.log_path.read_text()
            return answers(self.port)

        wait_for(serving, message=f"gunicorn {self.name} did not start")

    def workers_now(self):
        children = Path(f"/proc/{self.master.pid}/task/{self.master.pid}/children")
        return set(children.read_text().split())

    def reload(self):
        """HUP: new workers start, the old finish their requests and leave.
        Returns once only new workers are left."""
        old = self.workers_now()
        os.kill(self.master.pid, signal.SIGHUP)
        wait_for(
            lambda: not (self.workers_now() & old) and len(self.workers_now()) == self.workers,
            message=f"gunicorn {self.name} kept its old workers",
        )

    def stop(self, timeout=20):
        """TERM: gunicorn stops taking requests and finishes those it has."""
        if self.master is not None and self.master.poll() is None:
            stop_child(self.master, timeout)


@contextlib.contextmanager
def gunicorn_instance(env, tmp_path, *, name, workers=2):
    """gunicorn with the production config on a free port, serving once
    /healthz answers (which needs no database)."""
    server = AppServer(env, tmp_path, name=name, workers=workers)
    server.start()
    try:
        yield server.port
    finally:
        server.stop()


def render_nginx_site(*, listen, upstreams, static_root, media_root, logs):
    """deploy/nginx/clinic.conf with only its `# test:` lines changed."""
    site = NGINX_SITE.read_text()
    servers = iter(upstreams)

    def replace(label, pattern, value):
        nonlocal site
        line = re.compile(rf"^(\s*){pattern}.*# test: {re.escape(label)}$", re.MULTILINE)
        site, count = line.subn(lambda m: m.group(1) + value, site, count=1)
        assert count == 1, f"deploy/nginx/clinic.conf has no '# test: {label}' line"

    for label in ("app server A", "app server B"):
        replace(label, "server ", f"server 127.0.0.1:{next(servers)} max_fails=3 fail_timeout=10s;")
    replace("nginx's port", "listen ", f"listen 127.0.0.1:{listen};")
    replace("host name", "server_name ", "server_name 127.0.0.1;")
    replace("access log", "access_log ", f"access_log {logs}/access.log clinic_json;")
    replace("error log", "error_log ", f"error_log {logs}/error.log warn;")
    replace("STATIC_ROOT", "alias ", f"alias {static_root}/;")
    replace("MEDIA_ROOT", "alias ", f"alias {media_root}/;")
    replace("unavailable page", "root ", f"root {static_root};")
    left = re.findall(r"# test: .*$", site, re.MULTILINE)
    assert not left, f"deploy/nginx/clinic.conf lines the test does not know: {left}"
    return site


NGINX_MAIN = """\
# nginx as Debian runs it, but in a temporary folder, and its workers as the
# test's own user, who can read the test's files.
user {user};
worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/main-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/clinic.conf;
}}
"""


@contextlib.contextmanager
def nginx_in_front(upstreams, tmp_path, *, static_root, media_root):
    """Debian's nginx on a free loopback port with the clinic's site config."""
    assert NGINX.exists(), f"{NGINX} is missing: run `make deploy-deps`"
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    port = free_port()
    (prefix / "clinic.conf").write_text(
        render_nginx_site(
            listen=port,
            upstreams=upstreams,
            static_root=static_root,
            media_root=media_root,
            logs=prefix,
        )
    )
    (prefix / "nginx.conf").write_text(NGINX_MAIN.format(prefix=prefix, user=getpass.getuser()))
    command = [str(NGINX), "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    with process(
        [*command, "-g", "daemon off;"], os.environ.copy(), prefix / "stdout.log"
    ) as server:

        def serving():
            assert server.poll() is None, (prefix / "main-error.log").read_text()
            return answers(port)

        wait_for(serving, message="nginx did not start")
        yield port


@dataclass
class Deployment:
    port: int  # nginx
    instances: tuple  # the two gunicorn ports
    app_servers: tuple  # the two AppServers, on those ports
    database: object  # tests.live_site.SiteDatabase
    mail: object  # tests.outbox.smtp_sink.FlakySmtpSink
    env: dict
    tmp_path: Path

    @property
    def worker_log(self):
        return (self.tmp_path / "worker.log").read_text(errors="replace")

    def logs(self):
        return "\n".join(
            path.read_text(errors="replace") for path in sorted(self.tmp_path.glob("*.log"))
        )


@contextlib.contextmanager
def deployment(tmp_path, *, workers=2, sample_clinic=True, **settings):
    """The whole layout, ready: nginx, two app servers, one worker."""
    with smtp_sink() as (sink, smtp_port), site_database(tmp_path) as database:
        redis.Redis.from_url(REDIS_URL).flushdb()
        media_root = tmp_path / "media"
        env = (
            site_env(
                database.env,
                REDIS_URL=REDIS_URL,
                TASK_QUEUE="redis",
                TRUSTED_PROXY_COUNT="1",
                FORWARDED_ALLOW_IPS="127.0.0.1",
                MEDIA_ROOT=str(media_root),
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=str(smtp_port),
                EMAIL_TIMEOUT="5",
                WORKER_POLL_SECONDS="0.2",
                OUTBOX_RETRY_SECONDS="1",
                CSRF_TRUSTED_ORIGINS="https://127.0.0.1",
            )
            | settings
        )
        if sample_clinic:
            manage("load_sample_clinic", env=env)
        manage("write_unavailable_page", env=env)
        worker_command = [sys.executable, "manage.py", "run_huey"]
        with contextlib.ExitStack() as stack:
            stack.enter_context(process(worker_command, env, tmp_path / "worker.log"))
            app_servers = tuple(
                AppServer(env, tmp_path, name=name, workers=workers) for name in ("a", "b")
            )
            for server in app_servers:
                server.start()
                stack.callback(server.stop)
            instances = tuple(server.port for server in app_servers)
            port = stack.enter_context(
                nginx_in_front(
                    instances,
                    tmp_path,
                    static_root=env["STATIC_ROOT"],
                    media_root=media_root,
                )
            )
            yield Deployment(
                port=port,
                instances=instances,
                app_servers=app_servers,
                database=database,
                mail=sink,
                env=env,
                tmp_path=tmp_path,
            )


def execute(database, sql):
    """Change the test database from outside the site (committed at once)."""
    if database.sqlite_path:
        import sqlite3

        with contextlib.closing(sqlite3.connect(database.sqlite_path, timeout=30)) as db, db:
            db.execute(sql)
        return
    import psycopg

    with psycopg.connect(database.postgres_url, autocommit=True) as db:
        db.execute(sql)
