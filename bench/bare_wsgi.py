"""The yardstick: the least a Python web page can be, a WSGI callable with
no framework, served by the same gunicorn with the same settings as the site.

    gunicorn -c deploy/gunicorn.conf.py bench.bare_wsgi

`/?bytes=N` answers N bytes, so each page is compared with a response of its
own size: what a page costs beyond this is what Django and the site add.
"""

from urllib.parse import parse_qs

PAD = b"x" * (1 << 20)
LARGEST = len(PAD)


def application(environ, start_response):
    asked = parse_qs(environ.get("QUERY_STRING", "")).get("bytes", ["0"])[0]
    size = min(int(asked), LARGEST) if asked.isdigit() else 0
    start_response(
        "200 OK",
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(size))],
    )
    return [PAD[:size]]
