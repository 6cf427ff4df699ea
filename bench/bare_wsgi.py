"""The yardstick: the least a Python web page can be, a WSGI callable with
no framework, served by the same gunicorn with the same settings as the site.

    gunicorn -c deploy/gunicorn.conf.py bench.bare_wsgi

`/?bytes=N` answers N bytes, so each page is compared with a response of its
own size: what a page costs beyond this is what Django and the site add.

`&headers=K&header_bytes=M` adds K headers of M bytes in all (names, values,
": " and line ends), so the response is the page's size headers included.
Every page of the site carries a dozen headers (security policy, caching,
request id) that gunicorn and the client each handle one by one: measured
against a bare answer with two, a page would be charged for HTTP itself.
"""

from urllib.parse import parse_qs

PAD = b"x" * (1 << 20)
LARGEST = len(PAD)
MOST_HEADERS = 100
LONGEST_HEADER = 4000  # well within gunicorn's own limit on a header line


def _number(query, name, most):
    asked = query.get(name, ["0"])[0]
    return min(int(asked), most) if asked.isdigit() else 0


def padding_headers(count, size):
    """`count` headers of `size` bytes in all, each at least `X-Pad-N: x`."""
    headers = []
    for number in range(count):
        name = f"X-Pad-{number}"
        # Share what is left among the headers still to come.
        left = size - sum(len(n) + len(v) + 4 for n, v in headers)
        share = left // (count - number) - len(name) - 4
        headers.append((name, "x" * min(max(share, 1), LONGEST_HEADER)))
    return headers


def application(environ, start_response):
    query = parse_qs(environ.get("QUERY_STRING", ""))
    size = _number(query, "bytes", LARGEST)
    extra = padding_headers(
        _number(query, "headers", MOST_HEADERS),
        _number(query, "header_bytes", MOST_HEADERS * LONGEST_HEADER),
    )
    start_response(
        "200 OK",
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(size)), *extra],
    )
    return [PAD[:size]]
