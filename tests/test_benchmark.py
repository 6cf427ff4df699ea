"""The benchmark's own parts: the consultation form filler, and the production
server it measures (gunicorn, DEBUG=0, collected static files)."""

import gzip
import re
import urllib.parse

import pytest

from bench.load import consultation_payload, fetch
from bench.server import production_server

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
  <div class="form-check"><input type="checkbox" name="consent" id="id_consent"></div>
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
