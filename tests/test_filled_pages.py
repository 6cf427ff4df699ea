"""Pages the same for everyone but a few tokens are compressed once, the
tokens joined in as stored blocks (clinic/filled_pages.py): what a browser
unpacks must be exactly the page with the visitor's tokens, escaped."""

import gzip
import re

import pytest
from django.test import RequestFactory

from clinic.filled_pages import FilledPage

PAGE = "<html><p>Ünïcode and more</p>" * 300 + "TOKEN-A<p>middle</p>TOKEN-B<p>TOKEN-A</p></html>"
VALUES = {"TOKEN-A": 'a "quoted" <b>&', "TOKEN-B": "b" * 70_000}  # longer than one stored block
EXPECTED = PAGE.replace("TOKEN-A", "a &quot;quoted&quot; &lt;b&gt;&amp;").replace(
    "TOKEN-B", "b" * 70_000
)


def test_the_gzipped_page_unpacks_to_the_page_with_the_tokens_escaped():
    page = FilledPage(PAGE, ["TOKEN-A", "TOKEN-B"])
    assert gzip.decompress(page.gzipped(VALUES)).decode() == EXPECTED
    assert page.html(VALUES) == EXPECTED


def test_each_answer_is_padded_differently_as_django_pads_its_own():
    page = FilledPage(PAGE, ["TOKEN-A", "TOKEN-B"])
    lengths = {len(page.gzipped(VALUES)) for _ in range(20)}
    assert len(lengths) > 1


def test_a_browser_that_takes_gzip_gets_it_and_one_that_does_not_gets_the_page():
    page = FilledPage(PAGE, ["TOKEN-A", "TOKEN-B"])
    packed = page.response(RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip, br"), VALUES)
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content).decode() == EXPECTED
    plain = page.response(RequestFactory().get("/"), VALUES)
    assert not plain.has_header("Content-Encoding")
    assert plain.content.decode() == EXPECTED


@pytest.mark.django_db
def test_the_consultation_form_sent_gzipped_is_whole_and_carries_the_visitors_tokens(client):
    response = client.get("/consultation/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content).decode()
    assert html.rstrip().endswith("</html>")
    assert "placeholder" not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert len(token) == 64
    again = gzip.decompress(client.get("/consultation/", HTTP_ACCEPT_ENCODING="gzip").content)
    assert token not in again.decode()  # a new mask each time, as Django gives
