"""Mixed load through nginx and two app servers, as production runs them
(tests/deploy/servers.py): 90% read pages, 8% form views (the consultation
form and the booking day view), 2% bookings made start to finish. Reports
p50 and p99 for each kind, counts every error, and checks that every
booking a patient was told about is stored exactly once.

    python -m bench.mixed                   # 60 s, 64 clients: bench/results_mixed.md
    python -m bench.mixed --seconds 10 --clients 16 --no-write

Part of `make bench`; CI runs a short version (tests/deploy/test_behind_nginx.py).
"""

import argparse
import html
import http.client
import multiprocessing
import os
import random
import re
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

RESULTS = Path(__file__).resolve().parent / "results_mixed.md"
MIX = [("read", 0.90), ("form", 0.08), ("booking", 0.02)]
FORM_PAGES = ["/consultation/", "/book/times/"]


def booking_choice(database):
    """The first online-bookable appointment type with a clinician and place."""
    [(type_id,)] = database.query(
        "SELECT id FROM practice_appointmenttype WHERE bookable_online ORDER BY id LIMIT 1"
    )
    [(location_id, clinician_slug)] = database.query(
        "SELECT h.location_id, c.slug FROM booking_weeklyhours h "
        "JOIN practice_clinician c ON c.id = h.clinician_id "
        "JOIN practice_appointmenttype_clinicians t ON t.clinician_id = c.id "
        f"WHERE t.appointmenttype_id = {type_id} ORDER BY h.id LIMIT 1"
    )
    return {"appointment_type": type_id, "location": location_id, "clinician": clinician_slug}


def read_pages(database):
    slugs = [
        slug for (slug,) in database.query("SELECT slug FROM stretches_stretch WHERE published")
    ]
    return ["/", "/stretches/", "/guides/", *(f"/stretches/{slug}/" for slug in slugs)]


def details():
    return {
        "full_name": "Mixed Load Patient",
        "email": f"mixed-{uuid.uuid4().hex[:16]}@example.com",
        "phone": "020 7946 0958",
        "pain_duration_weeks": "6",
        "pain_intensity": "3",
        "description": "Stiff lower back after long drives.",
        "consent": "on",
        "consent_version": "2026-11",
    }


class Client:
    """One simulated visitor, recording (kind, seconds, outcome) per action.
    An outcome is "ok", "taken" (a booking lost a fair race, the 409 page, or
    the day shown had no free time left), or "error: ..." for anything a
    patient should never see."""

    def __init__(self, port, pages, choice, rng):
        from tests.deploy.clients import Visitor

        self.Visitor = Visitor
        self.port, self.pages, self.choice, self.rng = port, pages, choice, rng
        self.samples = []
        self.booked = []  # email addresses told "booked"
        self.browser = Visitor(port)
        self.choose_a_diary(self.browser)

    def choose_a_diary(self, visitor):
        """The safety screen and the choice of diary; the status of a step
        that went wrong, or None."""
        for status in (
            visitor.get("/book/")[0],
            visitor.post("/book/", {})[0],
            visitor.post("/book/choose/", self.choice)[0],
        ):
            if status not in (200, 302):
                return status
        return None

    def act(self):
        kind = self.rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
        started = time.perf_counter()
        try:
            outcome = getattr(self, kind)()
        except (OSError, http.client.HTTPException) as error:
            outcome = f"error: {type(error).__name__}"
        self.samples.append((kind, time.perf_counter() - started, outcome))

    def read(self):
        status, _, _ = self.browser.get(self.rng.choice(self.pages))
        return "ok" if status == 200 else f"error: {status}"

    def form(self):
        status, _, _ = self.browser.get(self.rng.choice(FORM_PAGES))
        return "ok" if status == 200 else f"error: {status}"

    def booking(self):
        """A whole booking, from the safety screen to the confirmation."""
        patient = self.Visitor(self.port)
        failed = self.choose_a_diary(patient)
        if failed:
            return f"error: choose {failed}"
        status, _, times = patient.get("/book/times/")
        if status != 200:
            return f"error: times {status}"
        slots = re.findall(r'name="slot" value="([^"]+)"', times)
        if not slots:
            return "taken"
        status, _, _ = patient.post("/book/hold/", {"slot": html.unescape(self.rng.choice(slots))})
        if status == 409:
            return "taken"
        if status != 302:
            return f"error: hold {status}"
        typed = details()
        status, _, _ = patient.post("/book/details/", typed)
        if status != 302:
            return f"error: details {status}"
        status, _, _ = patient.post("/book/review/", {})
        if status == 409:
            return "taken"
        if status != 302:
            return f"error: review {status}"
        self.booked.append(typed["email"])
        return "ok"


def run_clients(port, pages, choice, *, clients, seconds, seed=0):
    """`clients` threads acting until `seconds` have passed; their samples
    and the addresses each was told it had booked."""
    start_line = threading.Barrier(clients)
    results = [None] * clients

    def visitor(number):
        client = Client(port, pages, choice, random.Random(seed + number))
        start_line.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            client.act()
        results[number] = (client.samples, client.booked)

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    samples = [sample for result, _ in results for sample in result]
    booked = [email for _, emails in results for email in emails]
    return samples, booked


def _process_share(arguments):
    port, pages, choice, clients, seconds, seed = arguments
    return run_clients(port, pages, choice, clients=clients, seconds=seconds, seed=seed)


def run_mixed_load(port, pages, choice, *, clients, seconds, processes=1):
    """The load, from `processes` processes (Python threads alone would make
    the client, not the site, the limit)."""
    if processes <= 1:
        return run_clients(port, pages, choice, clients=clients, seconds=seconds)
    shares = [clients // processes + (n < clients % processes) for n in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        parts = pool.map(
            _process_share,
            [(port, pages, choice, share, seconds, n * 1000) for n, share in enumerate(shares)],
        )
    return [s for samples, _ in parts for s in samples], [e for _, emails in parts for e in emails]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def summary(samples, seconds):
    by_kind = defaultdict(list)
    for kind, duration, outcome in samples:
        by_kind[kind].append((duration, outcome))
    rows = []
    for kind, _ in MIX:
        entries = by_kind.get(kind, [])
        durations = [duration for duration, _ in entries]
        rows.append(
            {
                "kind": kind,
                "count": len(entries),
                "per_second": len(entries) / seconds,
                "p50_ms": percentile(durations, 0.50) * 1000,
                "p99_ms": percentile(durations, 0.99) * 1000,
                "taken": sum(outcome == "taken" for _, outcome in entries),
                "errors": sorted({o for _, o in entries if o.startswith("error")}),
                "error_count": sum(o.startswith("error") for _, o in entries),
            }
        )
    return rows


def stored_bookings(database, emails):
    """How many appointments each address has in the database."""
    rows = database.query(
        "SELECT patient_email, count(*) FROM booking_appointment "
        "WHERE patient_email LIKE 'mixed-%@example.com' GROUP BY patient_email"
    )
    stored = dict(rows)
    return {email: stored.get(email, 0) for email in emails}, sum(stored.values())


def report(rows, *, clients, seconds, booked, stored_total, once, vendor, load):
    requests = sum(row["count"] for row in rows)
    errors = sum(row["error_count"] for row in rows)
    lines = [
        "# Mixed load through nginx and two app servers",
        "",
        f"`python -m bench.mixed`: {clients} clients for {seconds:.0f} s through Debian's nginx "
        "(deploy/nginx/clinic.conf) in front of two gunicorn instances "
        "(deploy/gunicorn.conf.py) and one worker, sharing "
        f"{vendor}, Redis and media, on one machine with {os.cpu_count()} CPU cores "
        f"(the load client shares them; load average {load:.1f} when it started). "
        "A booking is a whole walk through /book/ "
        "(seven requests, timed together); `taken` is a booking that lost a fair race for "
        'a time (the "just taken" page) or found no free time left on the day first shown, '
        "not an error.",
        "",
        "| kind | share | actions | per second | p50 ms | p99 ms | taken | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row, (_, share) in zip(rows, MIX, strict=True):
        lines.append(
            f"| {row['kind']} | {share:.0%} | {row['count']} | {row['per_second']:.1f} | "
            f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['taken']} | "
            f"{row['error_count']} {' '.join(row['errors'])} |"
        )
    lines += [
        "",
        f"- Actions: {requests}; errors: **{errors}**.",
        f"- Bookings confirmed to patients: {len(booked)}; appointments stored: "
        f"{stored_total}; every confirmed booking stored exactly once: **{once}**.",
        "",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--no-write", action="store_true", help="print, do not write the file")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from tests.deploy.servers import deployment

    with (
        tempfile.TemporaryDirectory(prefix="clinic-mixed-") as folder,
        # Connections kept, as in production (the tests' default opens one a request).
        deployment(Path(folder), workers=args.workers, DB_CONN_MAX_AGE="60") as site,
    ):
        pages = read_pages(site.database)
        choice = booking_choice(site.database)
        load = os.getloadavg()[0]
        samples, booked = run_mixed_load(
            site.port,
            pages,
            choice,
            clients=args.clients,
            seconds=args.seconds,
            processes=args.processes,
        )
        per_email, stored_total = stored_bookings(site.database, booked)
        once = all(count == 1 for count in per_email.values()) and stored_total == len(booked)
        vendor = "PostgreSQL" if site.database.postgres_url else "SQLite"
        rows = summary(samples, args.seconds)
        text = report(
            rows,
            clients=args.clients,
            seconds=args.seconds,
            booked=booked,
            stored_total=stored_total,
            once=once,
            vendor=vendor,
            load=load,
        )
    print(text)
    if not args.no_write:
        RESULTS.write_text(text)
    errors = sum(row["error_count"] for row in rows)
    return 0 if errors == 0 and once else 1


if __name__ == "__main__":
    sys.exit(main())
