"""The load generator: a process of its own that sends requests to a server on
loopback and prints what it measured as JSON.

    python -m bench.load http://127.0.0.1:8000 PAGES_JSON --duration 2 --rounds 2

PAGES_JSON is a list of {"name", "method", "path"} (and "session":
"booking" for a page only a patient part-way through booking sees). Each
round measures, for every page, the yardstick (`--yardstick`, the bare WSGI
callable of bench/bare_wsgi.py, answering as many bytes as the page) and
the page in turns (yardstick, page, page, yardstick), each turn for half of
`duration` seconds or of `max_requests` requests, whichever comes first,
with `concurrency` threads, each opening a connection
per request as a browser's first visit would (gunicorn's sync workers close
it anyway). Standard library only.
"""

import argparse
import http.client
import itertools
import json
import os
import re
import statistics
import threading
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

HEADERS = {"Accept-Encoding": "gzip", "User-Agent": "clinic-bench"}


def fetch(base, method, path, body=None, headers=None):
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=15)
    try:
        connection.request(method, path, body=body, headers=HEADERS | (headers or {}))
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


# --- The consultation form's POST payload ---------------------------------
# The form is built on another branch and may change: this reads the field
# names from the GET page instead of hard-coding them, fills each with a
# plausible value, keeps hidden fields (CSRF token, timestamps) as served and
# leaves the honeypot empty. The benchmark's server sets
# CONSULTATION_MIN_FILL_SECONDS=0; against a server that keeps a minimum fill
# time, pass --min-fill-seconds and the builder waits that long once.

SAMPLE_VALUES = [
    (r"e-?mail", "bench.patient@example.com"),
    (r"phone|tel|mobile", "020 7946 0958"),
    (r"date", "2030-01-15"),
    (r"name", "Bench Patient"),
]
HONEYPOT = re.compile(r"honeypot|website|url|homepage|nickname|fax", re.IGNORECASE)


class _FormFields(HTMLParser):
    """Collects the fields of the first form that posts, with their types."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields, self.in_form, self.done, self.select = [], False, False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and (attrs.get("method") or "").lower() == "post":
            self.in_form = True
        elif self.in_form and tag in {"input", "textarea", "select"} and attrs.get("name"):
            field = {"tag": tag, **attrs}
            self.fields.append(field)
            if tag == "select":
                self.select = field
        elif self.in_form and tag == "option" and self.select and attrs.get("value"):
            self.select.setdefault("first_option", attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True


def consultation_payload(html):
    """The form's fields filled in as a patient with a routine request would
    (no warning sign ticked), URL-encoded."""
    parser = _FormFields()
    parser.feed(html)
    data = {}
    for field in parser.fields:
        name, kind = field["name"], field.get("type", "text").lower()
        if kind == "hidden":
            data[name] = field.get("value", "")
        elif HONEYPOT.search(name) or field.get("tabindex") == "-1":
            data[name] = ""
        elif kind == "checkbox":
            # A routine request: only what the form requires (consent) is
            # ticked, never an optional box such as a warning sign.
            if "required" in field:
                data.setdefault(name, field.get("value", "on"))
        elif kind == "radio":
            if "checked" in field or name not in data:
                data[name] = field.get("value", "on")
        elif field["tag"] == "select":
            data[name] = field.get("first_option", "")
        elif kind in {"submit", "button"}:
            continue
        else:
            data[name] = next(
                (value for pattern, value in SAMPLE_VALUES if re.search(pattern, name, re.I)),
                "Lower back pain after long days at a desk; I would like advice on stretches.",
            )
    return urllib.parse.urlencode(data)


def cookies_from(headers, jar=None):
    jar = dict(jar or {})
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.split(";", 1)[0].partition("=")
            jar[key.strip()] = rest
    return jar


def cookie_header(jar):
    return "; ".join(f"{key}={value}" for key, value in jar.items())


def booking_session(base):
    """The Cookie header of a patient who has answered the warning signs
    (none) and chosen the first appointment type and location, with the
    first available clinician: what the day view at /book/times/ needs."""
    jar = {}
    for path, overrides in (("/book/", {}), ("/book/choose/", {"clinician": ""})):
        status, headers, body = fetch(
            base, "GET", path, headers={"Accept-Encoding": "identity", "Cookie": cookie_header(jar)}
        )
        jar = cookies_from(headers, jar)
        data = dict(urllib.parse.parse_qsl(consultation_payload(body.decode()), True))
        status, headers, _ = fetch(
            base,
            "POST",
            path,
            urllib.parse.urlencode(data | overrides),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie_header(jar),
            },
        )
        if status != 302:
            raise RuntimeError(f"POST {path} answered {status}")
        jar = cookies_from(headers, jar)
    return {"Cookie": cookie_header(jar)}


def prepare_post(base, path, min_fill_seconds=0):
    """GETs the form and returns the body and headers to POST it with."""
    status, headers, body = fetch(base, "GET", path, headers={"Accept-Encoding": "identity"})
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    cookies = "; ".join(
        value.split(";", 1)[0] for name, value in headers if name.lower() == "set-cookie"
    )
    time.sleep(min_fill_seconds)
    return consultation_payload(body.decode()), {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookies,
    }


# --- Measuring ---------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def worker_pids(master_pid):
    """The gunicorn workers: the processes whose parent is the master."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == master_pid:
                pids.append(int(entry.name))
    return pids


def cpu_seconds(pids):
    """User + system CPU time the workers have used so far (Linux /proc).
    Unlike throughput, it hardly moves when other work shares the cores."""
    total = 0
    for pid in pids:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(stat[11]) + int(stat[12])
    return total / TICKS


# Each POST sends a form of its own, fetched before the clock starts: the site
# stores one request per filled-in form, so resending one would measure its
# double-submit guard rather than a new request.
FORMS_PER_THREAD = 60


def succeeded(page, status, headers):
    """A read page answers 200; a POST of the form redirects to the thanks
    page with no advice, as for a routine request (a form taken for spam gets
    the same answer: run.py compares the requests stored with the posts)."""
    if page["method"] != "POST":
        return status == 200
    location = {name.lower(): value for name, value in headers}.get("location", "")
    target = urllib.parse.urlsplit(location)
    return status == 302 and target.path.endswith(THANKS_PATH) and not target.query


THANKS_PATH = "/consultation/thanks/"


def measure(base, page, duration, concurrency, max_requests, min_fill_seconds=0, pids=()):
    base = page.get("base", base)
    per_thread = max(1, max_requests // concurrency)
    if page["method"] == "POST":
        per_thread = min(per_thread, FORMS_PER_THREAD)
        forms = [
            [prepare_post(base, page["path"]) for _ in range(per_thread)]
            for _ in range(concurrency)
        ]
        time.sleep(min_fill_seconds)
    else:
        forms = [[] for _ in range(concurrency)]
    headers = page.get("headers")
    deadline = time.perf_counter() + duration
    latencies, errors, lock = [], [], threading.Lock()

    def worker(forms):
        mine, bad = [], []
        while len(mine) + len(bad) < per_thread and time.perf_counter() < deadline:
            body, sent = forms.pop() if forms else (None, headers)
            started = time.perf_counter()
            try:
                status, answer, _ = fetch(base, page["method"], page["path"], body, sent)
            except OSError as error:
                bad.append(repr(error))
                continue
            if succeeded(page, status, answer):
                mine.append(time.perf_counter() - started)
            else:
                bad.append(f"HTTP {status}")
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=worker, args=(mine,)) for mine in forms]
    cpu_before = cpu_seconds(pids)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "latencies": latencies,
        "errors": errors,
        "seconds": time.perf_counter() - started,
        "cpu": cpu_seconds(pids) - cpu_before,
    }


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else None


# Headers gunicorn adds to every answer, the yardstick's too, and the two
# the yardstick always sends.
SERVER_HEADERS = {"server", "date", "connection", "content-length", "content-type"}


def own_headers(headers):
    """How many headers a page adds beyond the yardstick's own, and their
    bytes as sent (name, ": ", value, line end)."""
    added = [(name, value) for name, value in headers if name.lower() not in SERVER_HEADERS]
    return len(added), sum(len(name) + len(value) + 4 for name, value in added)


def run(
    base,
    pages,
    duration,
    rounds,
    concurrency,
    max_requests,
    warmup,
    min_fill_seconds,
    pids,
    yardstick,
):
    """Measures each page and its yardstick in turns, round after round
    (yardstick, page, page, yardstick): each page's ratio is the median over
    rounds of its figure against its yardstick's in the same round, so a
    burst of other work on the machine lands on both sides of a ratio rather
    than on one page."""
    available = []
    for page in pages:
        if page.get("session") == "booking":
            page = page | {"headers": booking_session(base)}
        status, answer, body = fetch(base, "GET", page["path"], headers=page.get("headers"))
        if status == 200:
            # The yardstick answers a response the page's size (gzipped, as
            # asked): as many bytes of body, and as many headers of as many bytes.
            size = len(body)
            count, header_bytes = own_headers(answer)
            bare = {"name": f"{page['name']} (bare)", "method": "GET", "base": yardstick}
            path = f"/?bytes={size}&headers={count}&header_bytes={header_bytes}"
            available.append((page, bare | {"path": path, "bytes": size}))
    warmed_up = {}  # successes during the warm-up, for run.py's count of stored requests

    def empty():
        return {"latencies": [], "errors": [], "seconds": 0.0, "cpu": 0.0}

    totals = {page["name"]: {"page": empty(), "bare": empty()} for page, _ in available}
    ratios = {page["name"]: {"throughput": [], "cpu": []} for page, _ in available}
    # Pages that write (the POST) are warmed up and measured after all the
    # others: what a burst of writes leaves behind in the server lasted into
    # whichever page came next, the first read page of the next round.
    reads = [(page, bare) for page, bare in available if page["method"] == "GET"]
    writes = [(page, bare) for page, bare in available if page["method"] != "GET"]
    for group in (reads, writes):
        for page, bare in group:  # warm-up: every worker renders and caches every page
            result = measure(base, page, warmup, concurrency, max_requests, min_fill_seconds, pids)
            warmed_up[page["name"]] = len(result["latencies"])
            measure(base, bare, min(warmup, 0.5), concurrency, max_requests, pids=pids)
        for _, (page, bare) in itertools.product(range(rounds), group):
            # Yardstick, page, page, yardstick, each for half the round: a
            # change in the machine's speed during the round (other work
            # starting or ending) weighs on both sides alike.
            pair = {"bare": empty(), "page": empty()}
            for side in ("bare", "page", "page", "bare"):
                result = (
                    measure(base, bare, duration / 2, concurrency, max_requests // 2, pids=pids)
                    if side == "bare"
                    else measure(
                        base,
                        page,
                        duration / 2,
                        concurrency,
                        max_requests // 2,
                        min_fill_seconds,
                        pids,
                    )
                )
                for figure in result:
                    pair[side][figure] += result[figure]
                    totals[page["name"]][side][figure] += result[figure]
            before, after = summary(pair["bare"]), summary(pair["page"])
            if before["per_second"] and after["per_second"]:
                ratios[page["name"]]["throughput"].append(
                    after["per_second"] / before["per_second"]
                )
            if before["cpu_us"] and after["cpu_us"]:
                ratios[page["name"]]["cpu"].append(before["cpu_us"] / after["cpu_us"])
    report = {}
    sizes = {page["name"]: bare["bytes"] for page, bare in available}
    for page in pages:
        if page["name"] not in totals:
            report[page["name"]] = {"available": False}
            continue
        figures = summary(totals[page["name"]]["page"])
        figures["bare"] = summary(totals[page["name"]]["bare"])
        figures["bytes"] = sizes[page["name"]]
        paired = ratios[page["name"]]
        figures["ratio"] = statistics.median(paired["throughput"] or [0])
        figures["cpu_ratio"] = statistics.median(paired["cpu"]) if paired["cpu"] else None
        figures["successes_with_warm_up"] = figures["requests"] + warmed_up[page["name"]]
        report[page["name"]] = figures
    return report


def summary(result):
    latencies = result["latencies"]
    return {
        "available": True,
        "requests": len(latencies),
        "errors": len(result["errors"]),
        "first_error": result["errors"][0] if result["errors"] else None,
        "per_second": len(latencies) / result["seconds"] if result["seconds"] else 0,
        "p50_ms": 1000 * percentile(latencies, 0.50) if latencies else None,
        "p99_ms": 1000 * percentile(latencies, 0.99) if latencies else None,
        "cpu_us": 1e6 * result["cpu"] / len(latencies) if latencies and result["cpu"] else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base")
    parser.add_argument("pages", type=json.loads)
    parser.add_argument("--duration", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--min-fill-seconds", type=float, default=0)
    parser.add_argument(
        "--server-pid",
        type=int,
        action="append",
        default=[],
        help="a gunicorn master (the site's, the yardstick's), to read its workers' CPU",
    )
    parser.add_argument("--yardstick", required=True, help="the bare WSGI callable's URL")
    args = parser.parse_args()
    for url in (args.base, args.yardstick):
        if urllib.parse.urlsplit(url).hostname not in {"127.0.0.1", "localhost", "::1"}:
            parser.error("the load generator only targets loopback addresses")
    report = run(
        args.base,
        args.pages,
        args.duration,
        args.rounds,
        args.concurrency,
        args.max_requests,
        args.warmup,
        args.min_fill_seconds,
        [pid for master in args.server_pid for pid in worker_pids(master)],
        args.yardstick,
    )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
