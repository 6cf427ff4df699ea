"""`make audit`: Lighthouse, mobile preset (its default), on the article and a
stretch page served as production serves them. Writes the reports to
bench/lighthouse/ and their scores into bench/results.md.

Needs Debian's Chromium (CHROME_PATH, /usr/bin/chromium by default) and the
npm package from package.json; `make audit` installs both.
"""

import json
import os
import subprocess
from pathlib import Path

from bench.server import PROJECT, production_server

HERE = Path(__file__).resolve().parent
REPORTS = HERE / "lighthouse"
RESULTS = HERE / "results.md"
PAGES = {"article": "/", "stretch page": "/stretches/cobra-stretch/"}
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
# No sandbox as root; no background traffic, which this machine's closed
# network refuses and Chromium would log as errors.
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
HEADING = "## Lighthouse"


def report_path(name):
    return REPORTS / f"{name.replace(' ', '-')}.report.json"


def audit():
    REPORTS.mkdir(exist_ok=True)
    env = os.environ | {"CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    with production_server() as server:
        for name, path in PAGES.items():
            subprocess.run(
                [
                    str(PROJECT / "node_modules/.bin/lighthouse"),
                    server.url + path,
                    "--output=json",
                    "--output=html",
                    f"--output-path={report_path(name).with_suffix('').with_suffix('')}",
                    f"--chrome-flags={CHROME_FLAGS}",
                    f"--only-categories={','.join(TARGETS)}",
                    "--quiet",
                ],
                env=env,
                check=True,
                timeout=300,
            )
            drop_screenshots(report_path(name))
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\n"
    RESULTS.write_text(text.split(HEADING)[0] + scores_section())
    print(scores_section())


def drop_screenshots(path):
    """Screenshots are most of a report's size; the HTML report keeps them."""
    report = json.loads(path.read_text())
    report.pop("fullPageScreenshot", None)
    for audit_id in ("screenshot-thumbnails", "final-screenshot"):
        report["audits"].get(audit_id, {}).pop("details", None)
    path.write_text(json.dumps(report, indent=1))


def scores_section():
    """The scores of the last `make audit`, as a Markdown section."""
    rows = [
        HEADING,
        "",
        "Written by `make audit` (Lighthouse, mobile preset, simulated throttling, "
        "Debian's Chromium). Reports: `bench/lighthouse/`.",
        "",
        "| page | " + " | ".join(TARGETS) + " |",
        "| --- |" + " ---: |" * len(TARGETS),
    ]
    found = False
    for name in PAGES:
        path = report_path(name)
        if not path.exists():
            continue
        found = True
        report = json.loads(path.read_text())
        cells = []
        for category, target in TARGETS.items():
            score = round(100 * (report["categories"][category]["score"] or 0))
            cells.append(f"{score}" + ("" if score >= target else f" ✗ (target {target})"))
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    if not found:
        rows.append("| not run yet: `make audit` | | | | |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    audit()
