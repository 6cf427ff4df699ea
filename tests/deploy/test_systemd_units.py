"""deploy/systemd/ holds units systemd accepts, running what the project has."""

import re
import shutil
import subprocess

import pytest

from tests.live_site import PROJECT

UNITS = sorted((PROJECT / "deploy" / "systemd").iterdir())
# Where the units expect the installed site; absent on a test machine.
INSTALLED = "/srv/clinic/app/.venv/bin/"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
@pytest.mark.parametrize("unit", UNITS, ids=lambda path: path.name)
def test_systemd_accepts_the_unit(unit):
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, cwd=unit.parent
    )
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and f"Command {INSTALLED}" not in line
    ]
    assert problems == []


def test_every_timer_starts_a_service_beside_it():
    for timer in (unit for unit in UNITS if unit.suffix == ".timer"):
        assert timer.with_suffix(".service").exists(), timer.name


def test_the_units_run_the_projects_own_commands():
    commands = " ".join(
        line.partition("=")[2]
        for unit in UNITS
        for line in unit.read_text().splitlines()
        if line.startswith(("ExecStart=", "ExecStartPre=", "ExecReload="))
    )
    assert "gunicorn -c deploy/gunicorn.conf.py clinic.wsgi" in commands
    assert "manage.py write_unavailable_page" in commands
    for command in re.findall(r"manage\.py (\w+)", commands):
        result = subprocess.run(
            [str(PROJECT / ".venv" / "bin" / "python"), "manage.py", command, "--help"],
            cwd=PROJECT,
            capture_output=True,
        )
        assert result.returncode == 0, command
