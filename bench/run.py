"""The benchmark behind `make bench`: starts the site under gunicorn with
production settings on 127.0.0.1, loads it from a separate process and writes
bench/results.md and bench/latency.png.

Each scenario is a fresh server: the clinic's article (7 stretches) or the
article plus 1,000 sample stretches and 100 sample keywords, served from the
page cache as deployed, or rendering every request (PAGE_CACHE=0) to show
what a page costs before it is cached. Each page's throughput is reported as
a ratio of /__baseline__/, a fixed short response through the same middleware
measured in the same run.
"""

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import django

from bench.lighthouse import scores_section
from bench.load import fetch
from bench.server import PROJECT, production_server

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.md"
PLOT = HERE / "latency.png"

PAGES = [
    {"name": "baseline", "method": "GET", "path": "/__baseline__/"},
    {"name": "article /", "method": "GET", "path": "/"},
    {"name": "stretch page", "method": "GET", "path": "/stretches/cobra-stretch/"},
    {"name": "keyword page", "method": "GET", "path": "/keywords/chronic-pain/"},
    {"name": "/stretches/", "method": "GET", "path": "/stretches/"},
    {"name": "GET /consultation/", "method": "GET", "path": "/consultation/"},
    {"name": "POST /consultation/", "method": "POST", "path": "/consultation/"},
]
READ_PAGES = ["article /", "stretch page", "keyword page", "/stretches/"]
TARGET = 0.8

SCENARIOS = [
    {"title": "7 stretches, cached", "stretches": 0, "cache": True},
    {"title": "1,000 stretches + 100 keywords, cached", "stretches": 1000, "cache": True},
    {"title": "7 stretches, rendered every time", "stretches": 0, "cache": False},
    {
        "title": "1,000 stretches + 100 keywords, rendered every time",
        "stretches": 1000,
        "cache": False,
    },
]


def run_scenario(scenario, args):
    with production_server(
        stretches=scenario["stretches"],
        keywords=100 if scenario["stretches"] else 0,
        workers=args.workers,
        page_cache=scenario["cache"],
    ) as server:
        base = server.url
        command = [
            sys.executable,
            "-m",
            "bench.load",
            base,
            json.dumps(PAGES),
            f"--duration={args.duration}",
            # Rendering every time is measured for scale, not ratio: fewer rounds.
            f"--rounds={args.rounds if scenario['cache'] else max(2, args.rounds // 2)}",
            f"--concurrency={args.concurrency}",
            f"--warmup={args.warmup}",
            f"--server-pid={server.pid}",
        ]
        stored_before = server.stored_consultation_requests()
        output = subprocess.run(
            command, cwd=PROJECT, capture_output=True, text=True, check=True, timeout=600
        ).stdout
        report = json.loads(output)
        count_only_stored(report, server.stored_consultation_requests() - stored_before)
        extras = {"weight": page_weight(base)}
        if scenario["cache"] and shutil.which("wrk"):
            extras["wrk"] = wrk_second_opinion(base, args)
    return report, extras


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


def wrk_second_opinion(base, args):
    """Each read page's throughput under wrk (Debian's package), a load
    generator in C that costs the shared cores far less than the Python
    client, as a ratio of the baseline's measured just before it."""

    def requests_per_second(path):
        command = ["wrk", "-t1", f"-c{args.concurrency}", "-d2s", "-H", "Accept-Encoding: gzip"]
        result = subprocess.run(
            [*command, base + path],
            capture_output=True,
            text=True,
            timeout=60,
        )
        found = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
        return float(found.group(1)) if found else None

    ratios = {}
    for page in PAGES[1:5]:
        baseline, figure = requests_per_second(PAGES[0]["path"]), requests_per_second(page["path"])
        ratios[page["name"]] = figure / baseline if figure and baseline else None
    return ratios


def fmt(value, digits=1):
    return "–" if value is None else f"{value:.{digits}f}"


def scenario_table(report, judged=True):
    """The scenario's figures; `judged` marks read pages under the target."""
    rows = [
        "| page | requests | req/s | **ratio to baseline** | p50 ms | p99 ms "
        "| server CPU µs/request | CPU ratio | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in PAGES:
        figures = report[page["name"]]
        if not figures["available"]:
            rows.append(f"| {page['name']} | not available on this build | | | | | | | |")
            continue
        ratio, cpu_ratio = figures["ratio"], figures["cpu_ratio"]
        mark = " ✗" if judged and page["name"] in READ_PAGES and ratio < TARGET else ""
        error = f" ({figures['first_error']})" if figures["errors"] else ""
        rows.append(
            f"| {page['name']} | {figures['requests']} | {fmt(figures['per_second'], 0)} "
            f"| **{ratio:.2f}**{mark} | {fmt(figures['p50_ms'], 2)} | {fmt(figures['p99_ms'], 2)} "
            f"| {fmt(figures['cpu_us'], 0)} | {fmt(cpu_ratio, 2)} | {figures['errors']}{error} |"
        )
    return "\n".join(rows)


def write_results(results, args, command, seconds):
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `{command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"in {seconds:.0f} s.",
        "",
        f"- Machine: {os.cpu_count()} cores ({platform.machine()}), shared with other work, so "
        "absolute figures are noisy; the ratio to the baseline measured in the same run is "
        "the figure to compare.",
        f"- Server: gunicorn, {args.workers or os.cpu_count()} sync workers, DEBUG=0, SQLite "
        f"(WAL) in a temporary folder, collected static files, local-memory cache; "
        f"Python {platform.python_version()}, Django {django.get_version()}.",
        f"- Load: `bench/load.py` in its own process, {args.concurrency} threads, a new "
        f"connection per request, `Accept-Encoding: gzip`; after a {args.warmup} s warm-up "
        f"per page, {args.rounds} rounds (half as many when rendering every time), each "
        f"measuring every page for {args.duration} s right after the baseline for as long. "
        "A page's ratio is the median over the rounds of its throughput divided by the "
        "baseline's just before.",
        f"- Baseline: `/__baseline__/`, a fixed short `HttpResponse` through the same "
        f"middleware. Target for read pages: ratio ≥ {TARGET} (✗ marks a miss).",
        "- Cached pages are answered by `PageCacheMiddleware`, the outermost middleware, "
        "with the headers the others set when the page was stored, after one query (the "
        "content version) and one cache read; the baseline goes through all the "
        "middleware (`PageCacheMiddleware` lets it by after a dict lookup). A ratio near 1 "
        "means a cached page costs what Django costs to answer anything at all.",
        "- Server CPU µs/request: the gunicorn workers' user + system CPU time over the "
        "requests they answered (from /proc). CPU ratio = baseline's CPU per request / the "
        "page's (median over the rounds): the server-side cost ratio, much less swayed by "
        "other work on the machine than throughput.",
        "",
    ]
    for scenario, (report, extras) in results:
        lines += [f"## {scenario['title']}", ""]
        if not scenario["cache"]:
            lines += [
                "What a cache miss costs (PAGE_CACHE=0): the first request for a page after a "
                "content change renders it like this. Shown for scale; the target applies to "
                "the cached pages.",
                "",
            ]
        lines += [scenario_table(report, judged=scenario["cache"]), ""]
        weight = extras["weight"]
        lines.append(
            f"Article page weight, compressed: HTML {weight['html'] / 1024:.1f} KB + CSS/JS "
            f"{weight['css+js'] / 1024:.1f} KB = "
            f"{(weight['html'] + weight['css+js']) / 1024:.1f} KB (budget 60 KB)."
        )
        if extras.get("wrk"):
            ratios = ", ".join(f"{name} {fmt(ratio, 2)}" for name, ratio in extras["wrk"].items())
            lines.append(f"Second opinion, wrk (2 s each, after 2 s of baseline): {ratios}.")
        lines.append("")
    lines += scaling_section(results)
    lines += ["![Latency per page](latency.png)", "", scores_section()]
    RESULTS.write_text("\n".join(lines) + "\n")


def scaling_section(results):
    """/stretches/ with 1,000 stretches against 7, per cache setting."""
    by_title = {scenario["title"]: report for scenario, (report, _) in results}
    lines = ["## /stretches/ at 1,000 stretches against 7", ""]
    for mode in ("cached", "rendered every time"):
        small = by_title.get(f"7 stretches, {mode}")
        large = by_title.get(f"1,000 stretches + 100 keywords, {mode}")
        if small and large:
            small, large = small["/stretches/"], large["/stretches/"]
            lines.append(
                f"- {mode}: p50 {large['p50_ms']:.2f} ms against {small['p50_ms']:.2f} ms "
                f"(×{large['p50_ms'] / small['p50_ms']:.2f}), p99 {large['p99_ms']:.2f} ms "
                f"against {small['p99_ms']:.2f} ms (×{large['p99_ms'] / small['p99_ms']:.2f}); "
                "target under ×2. Paginated, 24 stretches a page."
            )
    return [*lines, ""]


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


def main():
    parser = argparse.ArgumentParser(description="Benchmark the site; see bench/run.py.")
    parser.add_argument("--duration", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="only the cached scenarios")
    args = parser.parse_args()
    command = "make bench" + (f" BENCH_ARGS='{' '.join(sys.argv[1:])}'" if sys.argv[1:] else "")
    started = time.monotonic()
    scenarios = [s for s in SCENARIOS if s["cache"] or not args.quick]
    results = []
    for scenario in scenarios:
        print(f"== {scenario['title']}", flush=True)
        results.append((scenario, run_scenario(scenario, args)))
        print(scenario_table(results[-1][1][0], judged=scenario["cache"]), flush=True)
    write_results(results, args, command, time.monotonic() - started)
    plot(results)
    print(f"Wrote {RESULTS.relative_to(PROJECT)} and {PLOT.relative_to(PROJECT)}")


if __name__ == "__main__":
    main()
