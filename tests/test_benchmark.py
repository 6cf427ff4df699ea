"""The benchmark's own parts: the consultation form filler, the yardstick,
the production server it measures (gunicorn, DEBUG=0, collected static
files), and a short run of the whole benchmark."""

import gzip
import re
import urllib.parse

import pytest

from bench import bare_wsgi
from bench.load import consultation_payload, fetch, own_headers, succeeded
from bench.run import PAGES, count_only_stored
from bench.run import main as run_benchmark
from bench.server import production_server
from consultations.models import ConsultationRequest
from consultations.red_flags import Urgency

POST_PAGE = next(page for page in PAGES if page["method"] == "POST")

CRISPY_FORM = """
<form method="get" action="/search/"><input name="q"></form>
<form method="post" novalidate>
  <input type="hidden" name="csrfmiddlewaretoken" value="tok3n">
  <input type="hidden" name="started_at" value="signed:1700000000">
  <div class="mb-3"><label for="id_name">Your name</label>
    <input type="text" name="name" id="id_name" required></div>
  <div class="mb-3"><input type="email" name="email" id="id_email" required></div>
  <div class="mb-3"><input type="tel" name="phone" id="id_phone"></div>
  <div class="mb-3"><select name="preferred_time">
    <option value="">Choose…</option><option value="morning">Morning</option>
  </select></div>
  <div class="mb-3"><textarea name="message" id="id_message"></textarea></div>
  <div class="d-none" aria-hidden="true"><input type="text" name="website" tabindex="-1"></div>
  <fieldset><legend>Warning signs</legend>
    <input type="checkbox" name="emergency_signs" value="bladder">
    <input type="checkbox" name="urgent_signs" value="fever"></fieldset>
  <input type="radio" name="preferred_contact" value="email" required>
  <input type="radio" name="preferred_contact" value="phone" required>
  <input type="radio" name="when" value="any" checked><input type="radio" name="when" value="pm">
  <div class="form-check"><input type="checkbox" name="consent" id="id_consent" required></div>
  <input type="submit" name="submit" value="Send">
</form>
"""


def test_the_form_filler_answers_every_field_of_the_posting_form_like_a_patient():
    data = dict(urllib.parse.parse_qsl(consultation_payload(CRISPY_FORM), keep_blank_values=True))
    assert data["csrfmiddlewaretoken"] == "tok3n"
    assert data["started_at"] == "signed:1700000000"
    assert data["email"] == "bench.patient@example.com"
    assert re.fullmatch(r"[\d ]+", data["phone"])
    assert data["preferred_time"] == "morning"
    assert data["message"] and data["name"]
    assert data["consent"] == "on"
    assert data["website"] == ""  # the honeypot stays empty
    assert "q" not in data and "submit" not in data
    assert "emergency_signs" not in data and "urgent_signs" not in data
    assert data["preferred_contact"] == "email"
    assert data["when"] == "any"


@pytest.mark.django_db
def test_the_form_filler_sends_the_real_form_as_a_routine_request_that_is_stored(client, settings):
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    before = ConsultationRequest.objects.count()
    body = consultation_payload(client.get("/consultation/").content.decode())
    response = client.post("/consultation/", body, content_type="application/x-www-form-urlencoded")
    assert succeeded(POST_PAGE, response.status_code, response.items())
    assert ConsultationRequest.objects.count() == before + 1
    stored = ConsultationRequest.objects.latest("pk")
    assert stored.red_flags == []
    assert stored.urgency == Urgency.ROUTINE


def test_a_post_counts_only_when_it_redirects_to_the_routine_thanks_page():
    assert succeeded(POST_PAGE, 302, [("Location", "/consultation/thanks/")])
    assert not succeeded(POST_PAGE, 302, [("Location", "/consultation/thanks/?advice=emergency")])
    assert not succeeded(POST_PAGE, 302, [("Location", "/admin/login/")])
    assert not succeeded(POST_PAGE, 200, [])  # the form again, with a mistake
    assert not succeeded(POST_PAGE, 429, [])


def test_posts_that_stored_nothing_are_errors_in_the_results():
    report = {page["name"]: {"available": False} for page in PAGES}
    report[POST_PAGE["name"]] = {
        "available": True,
        "requests": 90,
        "successes_with_warm_up": 100,
        "errors": 0,
        "first_error": None,
    }
    count_only_stored(report, stored=60)
    figures = report[POST_PAGE["name"]]
    assert (figures["requests"], figures["errors"], figures["stored"]) == (50, 40, 60)
    assert figures["first_error"] == "40 posts stored nothing"


@pytest.mark.server
def test_the_production_server_serves_cached_compressed_pages_and_304s():
    with production_server() as server:
        base = server.url
        status, headers, body = fetch(base, "GET", "/stretches/cobra-stretch/")
        headers = dict(headers)
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "Cobra Stretch" in gzip.decompress(body).decode()
        status, _, body = fetch(
            base, "GET", "/stretches/cobra-stretch/", headers={"If-None-Match": headers["ETag"]}
        )
        assert (status, body) == (304, b"")
        css = re.search(
            r'href="(/static/css/site\.[0-9a-f]{12}\.css)"',
            gzip.decompress(fetch(base, "GET", "/")[2]).decode(),
        )
        status, headers, _ = fetch(base, "GET", css.group(1))
        assert status == 200
        assert "immutable" in dict(headers)["Cache-Control"]
        assert fetch(base, "GET", "/__baseline__/")[0] == 200


def test_the_yardstick_answers_as_many_bytes_as_asked():
    answer = {}

    def start_response(status, headers):
        answer.update(status=status, headers=dict(headers))

    body = b"".join(bare_wsgi.application({"QUERY_STRING": "bytes=4888"}, start_response))
    assert (answer["status"], len(body), answer["headers"]["Content-Length"]) == (
        "200 OK",
        4888,
        "4888",
    )
    assert b"".join(bare_wsgi.application({"QUERY_STRING": "bytes=lots"}, start_response)) == b""


def test_the_yardstick_answers_a_response_the_pages_size_headers_included():
    # A cached page's own headers, as the server sent them.
    page_headers = [
        ("Server", "gunicorn"),
        ("Date", "Sun, 29 Nov 2026 22:00:00 GMT"),
        ("Connection", "close"),
        ("X-Frame-Options", "DENY"),
        ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
        ("ETag", '"0123456789abcdef"'),
        ("Content-Length", "1660"),
        ("Content-Type", "text/html; charset=utf-8"),
    ]
    count, size = own_headers(page_headers)
    assert count == 3
    assert size == sum(len(n) + len(v) + 4 for n, v in page_headers[3:6])
    answer = {}

    def start_response(status, headers):
        answer.update(headers=headers)

    query = f"bytes=1660&headers={count}&header_bytes={size}"
    body = b"".join(bare_wsgi.application({"QUERY_STRING": query}, start_response))
    padding = answer["headers"][2:]
    assert len(body) == 1660 and len(padding) == count
    assert sum(len(n) + len(v) + 4 for n, v in padding) == size
    assert len(answer["headers"]) == 2 + count  # Content-Type and Content-Length, then these


@pytest.mark.server
def test_a_short_benchmark_measures_every_page_against_the_yardstick_and_the_slot_search(
    tmp_path,
):
    # The short version CI runs: the small site cached and rendered, a
    # moment each, and the slot search for 1 and 2 clinicians. It checks
    # that every figure is written, never how fast anything is.
    results = tmp_path / "results.md"
    run_benchmark(
        [
            "--sizes=small",
            "--duration=0.2",
            "--rounds=1",
            "--warmup=0.2",
            "--concurrency=2",
            "--clinicians",
            "1",
            "2",
            "--slot-repeat=2",
            f"--output={results}",
        ]
    )
    text = results.read_text()
    for title in ("## small site, cached", "## small site, rendered every time"):
        section = text.split(title)[1].split("\n## ")[0]
        for page in PAGES:
            row = next(
                line for line in section.splitlines() if line.startswith(f"| {page['name']} |")
            )
            ratio = re.search(r"\*\*([\d.]+)\*\*", row)
            assert ratio and float(ratio.group(1)) > 0, row
            assert row.split("|")[-2].strip() == "0", row  # no errors
    assert "## How cost grows" in text
    slots = text.split("## Free-slot search")[1]
    # As many queries for two clinicians as for one, fewer once the rules are known.
    for clinicians in (1, 2):
        row = rf"^\| {clinicians} \| 8 \| \d+ \| 6 / 2 \| [\d.]+ \| [\d.]+ \|"
        assert re.search(row, slots, re.M), slots
