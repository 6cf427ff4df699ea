"""A PostgreSQL server of a test's own, which it may stop and restart
without touching the machine's shared one: a fresh cluster in a temporary
folder, on a free loopback port. PostgreSQL refuses to run as root, so as
root the cluster belongs to the `postgres` user."""

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.live_site import free_port


def postgres_binaries():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


@contextlib.contextmanager
def private_postgres():
    """Yields a PrivateCluster, running, with an empty `clinic` database."""
    binaries = postgres_binaries()
    if binaries is None:
        raise RuntimeError("PostgreSQL's server programs are not installed")
    folder = Path(tempfile.mkdtemp(prefix="clinic-pg-"))
    cluster = PrivateCluster(binaries, folder, free_port())
    try:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        cluster.run("initdb", "-D", cluster.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        cluster.start()
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as admin:
            admin.execute("CREATE DATABASE clinic")
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.run("pg_ctl", "-D", cluster.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


class PrivateCluster:
    def __init__(self, binaries, folder, port):
        self.binaries = binaries
        self.folder = folder
        self.data = str(folder / "data")
        self.port = port

    def url(self, database="clinic"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, program, *args):
        command = [str(self.binaries / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def pg_ctl(self, action, *args):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        return self.run(
            "pg_ctl",
            "-D",
            self.data,
            "-o",
            options,
            "-l",
            str(self.folder / "log"),
            "-w",
            *args,
            action,
        )

    def start(self):
        self.pg_ctl("start")

    def restart(self):
        """Stop at once, ending every connection, then start again."""
        self.pg_ctl("restart", "-m", "fast")

    def server_pid(self):
        """The running server's process id: a restart changes it."""
        return int(Path(self.data, "postmaster.pid").read_text().split()[0])
