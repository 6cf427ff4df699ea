"""The free-slot search on its own, in one process (as one gunicorn worker
runs it): every clinician, the whole booking horizon, timed repeatedly.

    python -m bench.slot_search 1 20 --repeat 50

Prints, as JSON, per number of clinicians: the p50 and p99 in milliseconds
of the repeated searches, the first search's time, the slots found and the
queries made by the first search and by a later one. Uses a fresh SQLite database in a
temporary folder.
"""

import argparse
import gc
import json
import os
import tempfile
import time
from pathlib import Path

from bench.server import manage, production_env


def time_search(clinicians, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.sample_practice import load_practice
    from booking.availability import free_slots
    from practice.models import AppointmentType

    load_practice(clinicians)
    appointment_type = AppointmentType.objects.get(slug="follow-up")
    # As a gunicorn worker does once the site is loaded (deploy/gunicorn.conf.py).
    gc.freeze()
    # The first search reads the rules (hours, leave, closures) and the
    # clinicians; later ones in the same content version find them known,
    # as a running worker does, and read only the version and the blocks.
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        slots = free_slots(appointment_type=appointment_type)
    first_ms = 1000 * (time.perf_counter() - started)
    with CaptureQueriesContext(connection) as later_queries:
        free_slots(appointment_type=appointment_type)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        free_slots(appointment_type=appointment_type)
        timings.append(time.perf_counter() - started)
    timings.sort()
    return {
        "clinicians": clinicians,
        "weeks": 8,
        "p50_ms": 1000 * timings[len(timings) // 2],
        "p99_ms": 1000 * timings[min(len(timings) - 1, int(0.99 * len(timings)))],
        "slots": len(slots),
        "queries": len(queries),
        "later_queries": len(later_queries),
        "first_ms": first_ms,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clinicians", type=int, nargs="+")
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="clinic-slots-") as folder:
        env = production_env(Path(folder))
        manage(env, "migrate", "--noinput", "-v", "0")
        # Exactly the benchmark's environment: a DATABASE_URL (or REDIS_URL)
        # this was started with must not point the search at another database.
        os.environ.clear()
        os.environ.update(env, DJANGO_SETTINGS_MODULE="clinic.settings")
        import django

        django.setup()
        print(json.dumps([time_search(count, args.repeat) for count in args.clinicians]))


if __name__ == "__main__":
    main()
