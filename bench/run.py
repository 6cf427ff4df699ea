"""The benchmark behind `make bench`: starts the site under gunicorn with
production settings on 127.0.0.1, loads it from a separate process and writes
bench/results.md and bench/latency.png.

The yardstick is the most a Python web page can do here: a bare WSGI
callable (bench/bare_wsgi.py) under the same gunicorn, with the same
settings and workers, loaded by the same client, answering as many bytes as
the page it is compared with. Every page is reported as a ratio of it.

Each scenario is a fresh server: a small site (the clinic's 7 stretches, 1
clinician) or a large one (1,000 more stretches, 100 keywords, 20
clinicians), served from the page cache as deployed, or rendering every
request (PAGE_CACHE=0): what the first request for a page costs right after
a content edit. The free-slot search is timed on its own
(bench/slot_search.py).
"""

import argparse
import gzip
import json
import os
import platform
import re
import subprocess
import sys
import time
import timeit
from pathlib import Path

import django

from bench.lighthouse import scores_section
from bench.load import fetch
from bench.server import PROJECT, bare_server, production_server

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.md"
PLOT = HERE / "latency.png"

PAGES = [
    {"name": "article /", "method": "GET", "path": "/"},
    {"name": "stretch page", "method": "GET", "path": "/stretches/cobra-stretch/"},
    {"name": "keyword page", "method": "GET", "path": "/keywords/chronic-pain/"},
    {"name": "/stretches/", "method": "GET", "path": "/stretches/"},
    {"name": "/clinicians/", "method": "GET", "path": "/clinicians/"},
    # The first of the scenario's clinicians (bench/sample_practice.py).
    {
        "name": "clinician page",
        "method": "GET",
        "path": "/clinicians/bench-clinician-{clinicians}-1/",
    },
    {"name": "location page", "method": "GET", "path": "/locations/islington/"},
    {"name": "/guides/", "method": "GET", "path": "/guides/"},
    {"name": "guided routine", "method": "GET", "path": "/routine/"},
    {"name": "GET /consultation/", "method": "GET", "path": "/consultation/"},
    {
        "name": "day view /book/times/",
        "method": "GET",
        "path": "/book/times/",
        "session": "booking",
    },
    {"name": "POST /consultation/", "method": "POST", "path": "/consultation/"},
]
READ_PAGES = [
    "article /",
    "stretch page",
    "keyword page",
    "/stretches/",
    "/clinicians/",
    "clinician page",
    "location page",
    "/guides/",
    "guided routine",
]
FORM_PAGES = ["GET /consultation/", "day view /book/times/"]
# Targets, as a ratio of the bare callable (issue 13).
CACHED_TARGET = 0.85
FORM_TARGET = 0.4
AFTER_EDIT_TARGET = 0.1
SLOT_SEARCH_TARGET_MS = 20

SMALL = {"stretches": 0, "keywords": 0, "clinicians": 1}
LARGE = {"stretches": 1000, "keywords": 100, "clinicians": 20}
SCENARIOS = [
    {"title": "small site, cached", "size": "small", "cache": True, **SMALL},
    {"title": "large site, cached", "size": "large", "cache": True, **LARGE},
    {"title": "small site, rendered every time", "size": "small", "cache": False, **SMALL},
    {"title": "large site, rendered every time", "size": "large", "cache": False, **LARGE},
]
SIZES = {
    "small": "the clinic's 7 stretches, 1 clinician",
    "large": "1,000 more stretches, 100 keywords, 20 clinicians",
}


def run_scenario(scenario, args, yardstick):
    bare_url, bare_pid = yardstick
    with production_server(
        stretches=scenario["stretches"],
        keywords=scenario["keywords"],
        clinicians=scenario["clinicians"],
        workers=args.workers,
        page_cache=scenario["cache"],
    ) as server:
        base = server.url
        command = [
            sys.executable,
            "-m",
            "bench.load",
            base,
            json.dumps(scenario_pages(scenario)),
            f"--yardstick={bare_url}",
            f"--duration={args.duration}",
            f"--rounds={args.rounds}",
            f"--concurrency={args.concurrency}",
            f"--warmup={args.warmup}",
            f"--server-pid={server.pid}",
            f"--server-pid={bare_pid}",
        ]
        stored_before = server.stored_consultation_requests()
        output = subprocess.run(
            command, cwd=PROJECT, capture_output=True, text=True, check=True, timeout=1800
        ).stdout
        report = json.loads(output)
        count_only_stored(report, server.stored_consultation_requests() - stored_before)
        extras = {"weight": page_weight(base)}
    return report, extras


def scenario_pages(scenario):
    """PAGES with the scenario's own addresses filled in."""
    return [page | {"path": page["path"].format(**scenario)} for page in PAGES]


def slot_search(args):
    """The free-slot search for 1 to 20 clinicians over the whole horizon."""
    output = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.slot_search",
            *map(str, args.clinicians),
            f"--repeat={args.slot_repeat}",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def machine_speed_ms():
    """A plain-Python yardstick of the machine at the moment: best of five
    runs of sum(range(10**6)) (about 10 ms on an idle modern core)."""
    return 1000 * min(timeit.repeat("sum(range(10**6))", number=1, repeat=5))


def count_only_stored(report, stored):
    """A POST counts only if it stored a request: any answered like one but
    not stored (taken for spam, say) are reported as errors."""
    for page in PAGES:
        figures = report.get(page["name"], {"available": False})
        if page["method"] != "POST" or not figures["available"]:
            continue
        figures["stored"] = stored
        missing = figures["successes_with_warm_up"] - stored
        if missing > 0:
            figures["requests"] = max(0, figures["requests"] - missing)
            figures["errors"] += missing
            figures["first_error"] = figures["first_error"] or f"{missing} posts stored nothing"


def page_weight(base):
    """Bytes a first visit to the article downloads, compressed: the HTML and
    every stylesheet and script it links."""
    _, _, body = fetch(base, "GET", "/")
    html = gzip.decompress(body).decode()
    total = {"html": len(body), "css+js": 0}
    for path in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html):
        _, _, static = fetch(base, "GET", path)
        total["css+js"] += len(static)
    return total


def fmt(value, digits=1):
    return "–" if value is None else f"{value:.{digits}f}"


def target_for(page, cached):
    if page["name"] in FORM_PAGES:
        return FORM_TARGET
    if page["name"] in READ_PAGES:
        return CACHED_TARGET if cached else AFTER_EDIT_TARGET
    return None


def scenario_table(report, cached=True):
    """The scenario's figures, each page against the bare callable; ✓ or ✗
    against the page's target."""
    rows = [
        "| page | bytes | req/s | bare req/s | **ratio to bare** | target | p50 ms | p99 ms "
        "| bare p50 / p99 ms | server CPU µs/request | CPU ratio | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in PAGES:
        figures = report[page["name"]]
        if not figures["available"]:
            rows.append(f"| {page['name']} | not available on this build |" + " |" * 10)
            continue
        ratio, bare = figures["ratio"], figures["bare"]
        target = target_for(page, cached)
        verdict = "" if target is None else f"≥ {target} {'✓' if ratio >= target else '✗'}"
        error = f" ({figures['first_error']})" if figures["errors"] else ""
        rows.append(
            f"| {page['name']} | {figures['bytes']} | {fmt(figures['per_second'], 0)} "
            f"| {fmt(bare['per_second'], 0)} | **{ratio:.2f}** | {verdict} "
            f"| {fmt(figures['p50_ms'], 2)} | {fmt(figures['p99_ms'], 2)} "
            f"| {fmt(bare['p50_ms'], 2)} / {fmt(bare['p99_ms'], 2)} "
            f"| {fmt(figures['cpu_us'], 0)} | {fmt(figures['cpu_ratio'], 2)} "
            f"| {figures['errors']}{error} |"
        )
    return "\n".join(rows)


def growth_section(results):
    """How each page's cost grows from the small site to the large one."""
    by_key = {(s["size"], s["cache"]): report for s, (report, _) in results}
    lines = [
        "## How cost grows: small site against large",
        "",
        f"Small: {SIZES['small']}; large: {SIZES['large']}. The stretch pages grow "
        "with the stretches, the clinicians page and the day view with the clinicians. "
        "Factor = large / small (1.00: no growth).",
        "",
        "| page | mode | p50 ms small → large | ×p50 | CPU µs/request small → large | ×CPU |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for cached, mode in ((True, "cached"), (False, "rendered (after an edit)")):
        small, large = by_key.get(("small", cached)), by_key.get(("large", cached))
        if not (small and large):
            continue
        for page in PAGES:
            a, b = small[page["name"]], large[page["name"]]
            if not (a["available"] and b["available"]) or not (a["p50_ms"] and b["p50_ms"]):
                continue
            cpu = (
                f"{a['cpu_us']:.0f} → {b['cpu_us']:.0f} | ×{b['cpu_us'] / a['cpu_us']:.2f}"
                if a["cpu_us"] and b["cpu_us"]
                else "– | –"
            )
            lines.append(
                f"| {page['name']} | {mode} | {a['p50_ms']:.2f} → {b['p50_ms']:.2f} "
                f"| ×{b['p50_ms'] / a['p50_ms']:.2f} | {cpu} |"
            )
    return [*lines, ""]


def slot_section(slots, speed_ms):
    if not slots:
        return []
    lines = [
        "## Free-slot search",
        "",
        "`python -m bench.slot_search`: `free_slots()` for every clinician over the whole "
        "booking horizon (8 weeks), one process (as one gunicorn worker runs it), SQLite, "
        f"each clinician working weekdays with a booking most days. Target: ≤ "
        f"{SLOT_SEARCH_TARGET_MS} ms at p50 for 20 clinicians. Machine speed at the time: "
        f"sum(range(10**6)) took {speed_ms:.1f} ms (about 10 ms on an idle core); "
        "figures under load grow with it.",
        "",
        "The p50 and p99 are of searches after the first, as a running worker makes them: "
        "the rules (weekly hours, leave, closures) and the clinicians of the current content "
        "version are known by then, and a search reads the version and the occupied blocks. "
        "The first search after any content edit also reads the rules (`first search`).",
        "",
        "| clinicians | weeks | slots found | queries (first / later) | first search ms "
        "| p50 ms | p99 ms | target |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in slots:
        verdict = ""
        if row["clinicians"] == 20:
            ok = row["p50_ms"] <= SLOT_SEARCH_TARGET_MS
            verdict = f"≤ {SLOT_SEARCH_TARGET_MS} {'✓' if ok else '✗'}"
        lines.append(
            f"| {row['clinicians']} | {row['weeks']} | {row['slots']} "
            f"| {row['queries']} / {row['later_queries']} | {row['first_ms']:.1f} "
            f"| {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {verdict} |"
        )
    return [*lines, ""]


def write_results(results, slot_search_results, speed_ms, args, command, seconds, path):
    """`slot_search_results`: the searches' figures and the machine's speed then."""
    workers = args.workers or os.cpu_count()
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `{command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"in {seconds:.0f} s.",
        "",
        f"- Machine: {os.cpu_count()} cores ({platform.machine()}), shared with other work, so "
        "absolute figures are noisy; the ratio to the bare callable measured a moment "
        f"before is the figure to compare. sum(range(10**6)): {speed_ms:.1f} ms at the start "
        "(about 10 ms on an idle core).",
        f"- Server: gunicorn with deploy/gunicorn.conf.py, {workers} sync workers, DEBUG=0, "
        "SQLite (WAL) in a temporary folder, collected static files, local-memory cache, "
        "LOG_LEVEL=WARNING (production logs a JSON line per request at INFO: about 20 µs "
        "more per request, measured in one process, which a cached page's 13 µs would double); "
        f"Python {platform.python_version()}, Django {django.get_version()}.",
        "- **Yardstick: a bare WSGI callable** (bench/bare_wsgi.py) under the same gunicorn, "
        "configuration and workers, answering a response the page's size: as many bytes "
        "of body (the `bytes` column) and as many headers of as many bytes as the page "
        "adds (a dozen: security policy, caching, request id). It is the most a Python "
        "page of that size can do on this machine. Until this run it answered the body "
        "alone, with two headers: a bare answer with the site's headers does 0.67–0.81× "
        "of one without, which was charged to every page. It replaces `/__baseline__/`, a "
        "short Django response through the whole middleware chain: cached pages skip that "
        "chain, so the old baseline cost more than they did and flattered them.",
        f"- Load: `bench/load.py` in its own process, {args.concurrency} threads, a new "
        f"connection per request, `Accept-Encoding: gzip`; after a {args.warmup} s warm-up "
        f"per page, {args.rounds} rounds, each measuring every page for {args.duration} s "
        "and its yardstick for as long, in turns of half that (yardstick, page, page, "
        "yardstick), so that a change in the machine's speed weighs on both; the POST's "
        "warm-up and rounds come after all the others', as a burst of writes weighed on the "
        "next page measured (the article measured 0.63× right after the POST's second, "
        "0.83× without). A page's ratio is the median over the rounds of its throughput "
        "divided by its yardstick's.",
        f"- Targets: cached read pages ≥ {CACHED_TARGET}×; the consultation form and the "
        f"booking day view ≥ {FORM_TARGET}×; a page rendered right after a content edit "
        f"(PAGE_CACHE=0) ≥ {AFTER_EDIT_TARGET}×.",
        "- Cached pages are answered by `clinic/page_cache_wsgi.py` ahead of Django (one "
        "query for the content version, one cache read), with the bytes and headers "
        "`PageCacheMiddleware` stored. The empty consultation form is rendered once per "
        "content version, each visitor's tokens filled in (`consultations/form_page.py`). "
        "The day view (first available clinician) is rendered once per state of the diary "
        "and filled in per visitor (`booking/day_page.py`). Once Django has answered either "
        "in full, a worker answers them ahead of Django's middleware, with Django's session "
        "and CSRF middleware and the recorded headers (`clinic/filled_pages_wsgi.py`).",
        "- Server CPU µs/request: the gunicorn workers' user + system CPU time over the "
        "requests they answered (from /proc). CPU ratio = the yardstick's CPU per request / "
        "the page's (median over the rounds): much less swayed by other work on the "
        "machine than throughput.",
        "",
    ]
    for scenario, (report, extras) in results:
        lines += [f"## {scenario['title']}", "", f"{SIZES[scenario['size']]}.", ""]
        if not scenario["cache"]:
            lines += [
                "PAGE_CACHE=0: every request renders its page, as the first request for "
                "each page does right after a content edit.",
                "",
            ]
        lines += [scenario_table(report, cached=scenario["cache"]), ""]
        weight = extras["weight"]
        lines += [
            f"Article page weight, compressed: HTML {weight['html'] / 1024:.1f} KB + CSS/JS "
            f"{weight['css+js'] / 1024:.1f} KB = "
            f"{(weight['html'] + weight['css+js']) / 1024:.1f} KB (budget 60 KB).",
            "",
        ]
    lines += growth_section(results)
    lines += slot_section(*slot_search_results)
    if path == RESULTS:
        lines += ["![Latency per page](latency.png)", "", scores_section()]
    path.write_text("\n".join(lines) + "\n")


def plot(results):
    """p50 bars and p99 dashes per page: cached scenarios on the left, the
    cost of a cache miss (rendering every time) on the right, each on its own
    scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [page["name"] for page in PAGES]
    panels = [
        ("served from the page cache", [r for r in results if r[0]["cache"]]),
        ("rendered every time (a cache miss)", [r for r in results if not r[0]["cache"]]),
    ]
    panels = [panel for panel in panels if panel[1]]
    figure, axes_list = plt.subplots(1, len(panels), figsize=(7 * len(panels), 5.5), squeeze=False)
    for axes, (title, scenarios) in zip(axes_list[0], panels, strict=True):
        width = 0.8 / len(scenarios)
        for index, (scenario, (report, _)) in enumerate(scenarios):
            for position, name in enumerate(names):
                x = position + index * width
                if not report[name]["available"]:
                    axes.text(x, 0, "n/a", ha="center", va="bottom", fontsize=7)
            shown = [
                (p, n)
                for p, n in enumerate(names)
                if report[n]["available"] and report[n]["p50_ms"] is not None
            ]
            xs = [position + index * width for position, _ in shown]
            bars = axes.bar(
                xs, [report[n]["p50_ms"] for _, n in shown], width, label=scenario["title"]
            )
            axes.scatter(
                xs,
                [report[n]["p99_ms"] for _, n in shown],
                marker="_",
                s=200,
                color=bars.patches[0].get_facecolor(),
            )
        axes.set_xticks([p + 0.4 - width / 2 for p in range(len(names))], names)
        axes.set_ylabel("latency, ms (bar: p50, dash: p99)")
        axes.set_title(title)
        axes.legend(fontsize=8)
        plt.setp(axes.get_xticklabels(), rotation=20, ha="right")
    figure.suptitle(f"Latency per page, gunicorn on {os.cpu_count()} shared cores")
    figure.tight_layout()
    figure.savefig(PLOT, dpi=100)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark the site; see bench/run.py.")
    parser.add_argument("--duration", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="only the cached scenarios")
    parser.add_argument(
        "--sizes", nargs="+", choices=sorted(SIZES), default=sorted(SIZES), help="site sizes"
    )
    parser.add_argument(
        "--clinicians", type=int, nargs="+", default=[1, 5, 10, 20], help="for the slot search"
    )
    parser.add_argument("--slot-repeat", type=int, default=50)
    parser.add_argument("--output", type=Path, default=RESULTS, help="the results file")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    command = "make bench" + (f" BENCH_ARGS='{' '.join(argv)}'" if argv else "")
    started = time.monotonic()
    speed_ms = machine_speed_ms()
    scenarios = [s for s in SCENARIOS if (s["cache"] or not args.quick) and s["size"] in args.sizes]
    results = []
    with bare_server(workers=args.workers) as yardstick:
        for scenario in scenarios:
            print(f"== {scenario['title']}", flush=True)
            results.append((scenario, run_scenario(scenario, args, yardstick)))
            print(scenario_table(results[-1][1][0], cached=scenario["cache"]), flush=True)
    print("== free-slot search", flush=True)
    # The machine's speed again: on a shared machine it changes over the run.
    slot_speed_ms = machine_speed_ms()
    slots = slot_search(args)
    print("\n".join(slot_section(slots, slot_speed_ms)), flush=True)
    write_results(
        results,
        (slots, slot_speed_ms),
        speed_ms,
        args,
        command,
        time.monotonic() - started,
        args.output,
    )
    if args.output == RESULTS:
        try:
            plot(results)
        except ImportError:  # matplotlib comes with the bench extra
            print("matplotlib is not installed: bench/latency.png not redrawn")
        print(f"Wrote {RESULTS.relative_to(PROJECT)}")
    else:
        print(f"Wrote {args.output}")


if __name__ == "__main__":
    main()
