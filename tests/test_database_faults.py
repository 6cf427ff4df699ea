"""When the database is briefly locked or unreachable, a patient sending the
form gets a clear "please try again" page (503), never a traceback, and
sending it again once the database is back succeeds."""

import contextlib
import socket
import sqlite3
import threading
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.live_site import Patient, filled_form, free_port, running_site, site_database

pytestmark = pytest.mark.server

TABLE = "consultations_consultationrequest"


class SwitchableTcpProxy:
    """A real TCP relay to the database server that can be cut off and
    restored, as a network fault would."""

    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.port = free_port()
        self.up = threading.Event()
        self.up.set()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.2)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            if not self.up.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def close(self):
        self.stopped.set()
        self.thread.join(timeout=5)
        self.listener.close()


def assert_try_again_page(status, headers, page):
    assert status == 503
    assert headers.get("Retry-After") == "30"
    assert "Please try again in a moment" in page
    assert "has <strong>not</strong> been sent yet" in page
    assert "Traceback" not in page


def test_locked_sqlite_database_asks_the_patient_to_try_again(tmp_path, settings):
    with site_database(tmp_path) as database:
        if not database.sqlite_path:
            pytest.skip("locking a database file applies to SQLite")
        with running_site(database.env, tmp_path, workers=2, SQLITE_TIMEOUT="1") as live:
            patient = Patient(live.port)
            form = filled_form(patient.open_form(), 1)
            lock = sqlite3.connect(database.sqlite_path, isolation_level=None)
            lock.execute("BEGIN EXCLUSIVE")
            try:
                assert_try_again_page(*patient.send_form(form))
            finally:
                lock.execute("ROLLBACK")
                lock.close()
            assert database.count(TABLE) == 0
            status, headers, _ = patient.send_form(form)
            assert (status, headers["Location"]) == (302, "/consultation/thanks/")
            assert database.count(TABLE) == 1
            assert "Traceback" not in live.log


def test_unreachable_postgresql_asks_the_patient_to_try_again(tmp_path):
    with site_database(tmp_path) as database:
        if not database.postgres_url:
            pytest.skip("a network fault to the database server applies to PostgreSQL")
        url = urlsplit(database.postgres_url)
        proxy = SwitchableTcpProxy(url.hostname, url.port or 5432)
        through_proxy = urlunsplit(url._replace(netloc=f"{url.username}@127.0.0.1:{proxy.port}"))
        try:
            through_proxy_env = database.env | {"DATABASE_URL": through_proxy}
            with running_site(through_proxy_env, tmp_path, workers=2) as live:
                patient = Patient(live.port)
                form = filled_form(patient.open_form(), 1)
                proxy.up.clear()
                assert_try_again_page(*patient.send_form(form))
                assert_try_again_page(*patient.get("/"))
                proxy.up.set()
                status, headers, _ = patient.send_form(form)
                assert (status, headers["Location"]) == (302, "/consultation/thanks/")
                assert database.count(TABLE) == 1
                assert "Traceback" not in live.log
        finally:
            proxy.close()
