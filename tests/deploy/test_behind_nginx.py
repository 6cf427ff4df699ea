"""The site as production runs it, on loopback: Debian's nginx with
deploy/nginx/clinic.conf in front of two gunicorn instances and one worker,
sharing the database, Redis and media. Everything here goes through nginx
unless it says which instance it asks."""

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from html import unescape

import pytest

from bench.mixed import booking_choice, read_pages, run_mixed_load, stored_bookings, summary
from tests.deploy.clients import Visitor, form_fields, hidden_fields, sign_in_content_editor
from tests.deploy.servers import execute, wait_for
from tests.live_site import filled_form, manage

pytestmark = pytest.mark.server

RACERS = 16


def patient_details(number):
    return {
        "full_name": f"Deployed Patient {number}",
        "email": f"deployed{number}@example.com",
        "phone": "020 7946 0958",
        "pain_duration_weeks": "6",
        "pain_intensity": "4",
        "description": f"Patient {number}: stiff lower back in the mornings.",
        "consent": "on",
        "consent_version": "2026-11",
    }


def first_free_slot(port, choice):
    scout = Visitor(port)
    scout.get("/book/")
    scout.post("/book/", {})
    scout.post("/book/choose/", choice)
    _, _, times = scout.get("/book/times/")
    return unescape(re.search(r'name="slot" value="([^"]+)"', times).group(1))


def walk_to_confirm(port, choice, slot, number):
    patient = Visitor(port)
    assert patient.get("/book/")[0] == 200
    assert patient.post("/book/", {})[0] == 302
    assert patient.post("/book/choose/", choice)[0] == 302
    status, _, page = patient.post("/book/hold/", {"slot": slot})
    assert status == 302, page[:2000]
    status, _, page = patient.post("/book/details/", patient_details(number))
    assert status == 302, page[:3000]
    return patient


def request_lines(log):
    """The site's JSON request lines in a gunicorn instance's output."""
    lines = (json.loads(line) for line in log.splitlines() if line.startswith("{"))
    return [line for line in lines if line.get("logger") == "clinic.request"]


def test_read_pages_and_health_checks_pass_through_nginx(deployed_site):
    visitor = Visitor(deployed_site.port)
    for path in ["/", "/stretches/", "/guides/", "/book/", "/consultation/", "/sitemap.xml"]:
        status, headers, page = visitor.get(path)
        assert status == 200, (path, page[:500])
        assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"]), headers  # nginx's id
    status, _, ready = visitor.get("/readyz")
    assert status == 200, ready
    assert json.loads(ready)["checks"] == dict.fromkeys(
        ["database", "cache", "storage", "worker"], "ok"
    )

    # Static files come from nginx itself, marked to be kept for a year.
    _, _, page = visitor.get("/stretches/")
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
    status, headers, _ = visitor.get(stylesheet)
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "X-Request-ID" not in headers  # never reached the site


def test_a_client_cannot_choose_its_request_id(deployed_site):
    _, headers, _ = Visitor(deployed_site.port).request(
        "GET", "/stretches/", headers={"X-Request-ID": "chosen-by-the-client"}
    )
    assert headers["X-Request-ID"] != "chosen-by-the-client"
    access_log_path = deployed_site.tmp_path / "nginx" / "access.log"
    # nginx writes the line once it has sent the response: moments later.
    wait_for(lambda: f'"request_id":"{headers["X-Request-ID"]}"' in access_log_path.read_text())
    access_log = access_log_path.read_text()
    assert "127.0.0.1" not in access_log.replace('"upstream":"127.0.0.1', "")


def test_nginx_refuses_a_body_larger_than_the_site_accepts(deployed_site):
    status, _, _ = Visitor(deployed_site.port).request(
        "POST",
        "/consultation/",
        headers={"Content-Length": str(11 * 1024 * 1024), "Origin": "https://127.0.0.1"},
    )
    assert status == 413


def test_a_patient_sends_a_consultation_request_through_nginx(deployed_site):
    execute(deployed_site.database, "DELETE FROM clinic_ratelimitcount")
    patient = Visitor(deployed_site.port)
    _, _, page = patient.get("/consultation/")
    status, headers, page = patient.post("/consultation/", filled_form(hidden_fields(page), 901))
    assert status == 302, page[:3000]
    assert headers["Location"].startswith("/consultation/thanks/")
    stored = deployed_site.database.query(
        "SELECT email FROM consultations_consultationrequest WHERE email LIKE 'patient901@%'"
    )
    assert stored == [("patient901@example.com",)]


def test_a_patient_books_and_the_worker_sends_one_confirmation(deployed_site):
    site = deployed_site
    choice = booking_choice(site.database)
    patient = walk_to_confirm(site.port, choice, first_free_slot(site.port, choice), 1)
    status, _, page = patient.post("/book/review/", {})
    assert status == 302, page[:3000]
    assert site.database.query(
        "SELECT count(*) FROM booking_appointment WHERE patient_email = 'deployed1@example.com'"
    ) == [(1,)]
    wait_for(lambda: outbox_settled(site.database), message=site.worker_log)
    confirmations = [
        mail for mail in site.mail.delivered if mail["to"] == ("deployed1@example.com",)
    ]
    assert len(confirmations) == 1, site.mail.delivered


def outbox_settled(database):
    return database.query(
        "SELECT count(*) FROM consultations_outboxmessage WHERE status <> 'sent'"
    ) == [(0,)]


def test_a_content_edit_on_one_instance_shows_on_the_other_at_once(deployed_site):
    site = deployed_site
    instance_a, instance_b = site.instances
    [(stretch_id, slug, title)] = site.database.query(
        "SELECT id, slug, title FROM stretches_stretch WHERE published ORDER BY id LIMIT 1"
    )
    page_path = f"/stretches/{slug}/"
    # Both instances and nginx have the page in the shared cache.
    for port in (site.port, instance_a, instance_b, instance_b):
        assert title in Visitor(port).get(page_path)[2]

    editor = sign_in_content_editor(instance_a)
    change_path = f"/admin/stretches/stretch/{stretch_id}/change/"
    status, _, form_page = editor.get(change_path)
    assert status == 200, form_page[:500]
    fields = [
        (name, "Edited through instance A" if name == "title" else value)
        for name, value in form_fields(form_page, "stretch_form")
    ]
    status, _, page = editor.post(change_path, [*fields, ("_save", "Save")])
    assert status == 302, re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)

    for port in (instance_b, site.port):
        assert "Edited through instance A" in Visitor(port).get(page_path)[2], port


def test_a_staff_session_started_on_one_instance_holds_on_the_other(deployed_site):
    instance_a, instance_b = deployed_site.instances
    editor = sign_in_content_editor(instance_a)
    for port in (instance_b, deployed_site.port, instance_a):
        editor.port = port
        status, _, page = editor.get("/admin/stretches/stretch/")
        assert status == 200, page[:500]
        assert "Select stretch to change" in page
    editor.post("/admin/logout/", {})
    editor.port = instance_b
    status, headers, _ = editor.get("/admin/stretches/stretch/")
    assert status == 302 and headers["Location"].startswith("/admin/login/")


def test_the_rate_limit_counts_across_both_instances_whatever_the_client_forwards(
    deployed_site,
):
    site = deployed_site
    execute(site.database, "DELETE FROM clinic_ratelimitcount")
    statuses = []
    # Four allowed an hour (the fixture's CONSULTATION_RATE_LIMIT).
    for number in range(5):
        patient = Visitor(site.port)
        _, _, page = patient.get("/consultation/")
        forged = {"X-Forwarded-For": f"203.0.113.{number}", "X-Real-IP": f"198.51.100.{number}"}
        status, _, _ = patient.post(
            "/consultation/", filled_form(hidden_fields(page), 910 + number), headers=forged
        )
        statuses.append(status)
    assert statuses == [302, 302, 302, 302, 429]
    counted = site.database.query("SELECT key FROM clinic_ratelimitcount")
    assert [key for (key,) in counted] == ["consultation:127.0.0.1"]
    # Both instances answered some of them (nginx takes turns).
    for name in ("a", "b"):
        log = (site.tmp_path / f"gunicorn-{name}.log").read_text()
        assert any(line["path"] == "/consultation/" for line in request_lines(log)), name


def test_a_booking_race_spread_over_both_instances_books_once(deployed_site):
    site = deployed_site
    choice = booking_choice(site.database)
    slot = first_free_slot(site.port, choice)
    before = site.database.count("booking_appointment")
    patients = [walk_to_confirm(site.port, choice, slot, 100 + n) for n in range(RACERS)]
    start_line = threading.Barrier(RACERS)

    def confirm(patient):
        start_line.wait()
        return patient.post("/book/review/", {})

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        results = list(pool.map(confirm, patients))
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [302] + [409] * (RACERS - 1), statuses
    assert site.database.count("booking_appointment") == before + 1
    # The confirmations reached both instances.
    for name in ("a", "b"):
        log = (site.tmp_path / f"gunicorn-{name}.log").read_text()
        assert any(
            (line["method"], line["path"]) == ("POST", "/book/review/")
            for line in request_lines(log)
        ), name
    wait_for(lambda: outbox_settled(site.database), message=site.worker_log)
    [(winner,)] = site.database.query(
        "SELECT patient_email FROM booking_appointment ORDER BY id DESC LIMIT 1"
    )
    assert [mail["to"] for mail in site.mail.delivered].count((winner,)) == 1


def test_a_time_booked_on_one_instance_leaves_the_week_on_the_other_at_once(deployed_site):
    site = deployed_site
    instance_a, instance_b = site.instances
    choice = booking_choice(site.database)
    watcher = Visitor(instance_a)
    watcher.get("/book/")
    watcher.post("/book/", {})
    watcher.post("/book/choose/", choice)

    def times_offered():
        status, _, page = watcher.get("/book/times/")
        assert status == 200, page[:2000]
        return [unescape(value) for value in re.findall(r'name="slot" value="([^"]+)"', page)]

    # Instance A's workers have all made the week and keep what its diary held.
    weeks = [times_offered() for _ in range(6)]
    slot = weeks[0][0]
    assert all(slot in week for week in weeks)
    patient = walk_to_confirm(instance_b, choice, slot, 300)
    assert patient.post("/book/review/", {})[0] == 302

    for _ in range(6):
        week = times_offered()
        assert slot not in week
        assert week  # the rest of the week is still offered


def test_a_short_mixed_load_has_no_errors_and_stores_each_booking_once(deployed_site):
    """CI's short version of `python -m bench.mixed` (60 s, 64 clients)."""
    site = deployed_site
    samples, booked = run_mixed_load(
        site.port, read_pages(site.database), booking_choice(site.database), clients=16, seconds=8
    )
    rows = {row["kind"]: row for row in summary(samples, 8)}
    assert [(kind, row["errors"]) for kind, row in rows.items()] == [
        ("read", []),
        ("form", []),
        ("booking", []),
    ]
    assert rows["read"]["count"] > 100
    per_email, stored_total = stored_bookings(site.database, booked)
    assert set(per_email.values()) <= {1}
    assert stored_total == len(booked)


def test_nothing_went_wrong_on_any_server(deployed_site):
    logs = deployed_site.logs()
    assert "Traceback" not in logs
    assert '"level": "ERROR"' not in logs


SEND_REMINDERS_WHEN_DUE = """
import datetime
import time_machine
from django.core.management import call_command
from booking.models import Reminder
reminder = Reminder.objects.get(appointment__patient_email="{email}")
# The moment the reminder falls due (23 hours before), on this process's clock.
with time_machine.travel(reminder.starts_at - datetime.timedelta(hours=23), tick=True):
    call_command("send_reminders", rounds=20)
"""


def last_free_slot(port, choice):
    """The last time offered in the second week: days ahead, whatever the
    tests before have booked in the first."""
    scout = Visitor(port)
    scout.get("/book/")
    scout.post("/book/", {})
    scout.post("/book/choose/", choice)
    _, _, first_week = scout.get("/book/times/")
    later = unescape(re.search(r'href="(/book/times/\?from=[^"]+)"', first_week).group(1))
    status, _, times = scout.get(later)
    assert status == 200, times[:2000]
    slots = re.findall(r'name="slot" value="([^"]+)"', times)
    assert slots, " ".join(re.sub(r"<[^>]+>", " ", times).split())[:3000]
    return unescape(slots[-1])


def test_a_reminder_goes_out_once_however_many_servers_send_them(deployed_site):
    site = deployed_site
    execute(site.database, "DELETE FROM clinic_ratelimitcount")  # earlier tests' patients
    choice = booking_choice(site.database)
    # A time days ahead, so the booking gets a reminder for later.
    patient = walk_to_confirm(site.port, choice, last_free_slot(site.port, choice), "reminder")
    assert patient.post("/book/review/", {})[0] == 302
    email = "deployedreminder@example.com"
    assert site.database.query(
        "SELECT r.status FROM booking_reminder r JOIN booking_appointment a "
        f"ON a.id = r.appointment_id WHERE a.patient_email = '{email}'"
    ) == [("pending",)]

    # Both app servers' hosts run the reminder job at once when it falls due
    # (say, a timer left on each), beside the worker's own every minute.
    code = SEND_REMINDERS_WHEN_DUE.format(email=email)
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda _: manage("shell", "-c", code, env=site.env), range(2)))

    reminders = site.database.query(
        "SELECT m.id FROM consultations_outboxmessage m JOIN booking_appointment a "
        f"ON a.id = m.appointment_id WHERE a.patient_email = '{email}' "
        "AND m.kind = 'booking_reminder'"
    )
    assert len(reminders) == 1
    # Written at the due moment; the worker sends it now, on the real clock.
    execute(
        site.database,
        "UPDATE consultations_outboxmessage SET next_attempt_at = CURRENT_TIMESTAMP "
        f"WHERE id = {reminders[0][0]}",
    )
    nudge = f"from consultations.outbox import nudge_worker; nudge_worker({reminders[0][0]})"
    manage("shell", "-c", nudge, env=site.env)
    wait_for(lambda: outbox_settled(site.database), message=site.worker_log)
    to_patient = [mail for mail in site.mail.delivered if mail["to"] == (email,)]
    assert len(to_patient) == 2, to_patient  # the confirmation and one reminder
