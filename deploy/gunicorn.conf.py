"""gunicorn's settings for production: `gunicorn -c deploy/gunicorn.conf.py clinic.wsgi`.

Read from the environment, like the site's own settings:

- GUNICORN_BIND: where to listen (default 127.0.0.1:8000, behind the proxy).
- WEB_CONCURRENCY: worker processes (default: two per CPU core, plus one).
- TRUSTED_PROXY_COUNT: as for the site. With 0, no forwarded header is
  trusted from anyone.
- FORWARDED_ALLOW_IPS: the proxy's addresses or networks, comma-separated
  (default 127.0.0.1 and ::1), trusted only when TRUSTED_PROXY_COUNT > 0.

gunicorn itself only takes the scheme from a trusted peer, but passes every
header on to Django, which would then read a forged X-Forwarded-Proto or
X-Forwarded-For. So forwarded headers from any other address are removed
before Django sees them (`pre_request`).
"""

import gc
import ipaddress
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# No access log: its lines hold the client's address and the query string.
# The site logs each request itself, as JSON without them (clinic/request_log.py).
accesslog = None
errorlog = "-"

TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
PROXY_ADDRESSES = (
    [
        address.strip()
        for address in os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1").split(",")
        if address.strip()
    ]
    if TRUSTED_PROXY_COUNT > 0
    else []
)
PROXY_NETWORKS = [ipaddress.ip_network(address, strict=False) for address in PROXY_ADDRESSES]

# gunicorn's own use: the scheme from the proxy's header only. The header and
# value match Django's SECURE_PROXY_SSL_HEADER (clinic/settings.py).
forwarded_allow_ips = ",".join(PROXY_ADDRESSES)
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

FORWARDED_HEADERS = {
    "X-FORWARDED-FOR",
    "X-FORWARDED-PROTO",
    "X-FORWARDED-HOST",
    "X-FORWARDED-PORT",
    "X-FORWARDED-SSL",
    "X-FORWARDED-PROTOCOL",
    "X-REAL-IP",
    "FORWARDED",
}


def from_trusted_proxy(peer_addr):
    if not isinstance(peer_addr, tuple):
        return bool(PROXY_NETWORKS)  # a Unix socket: only local processes reach it
    try:
        address = ipaddress.ip_address(peer_addr[0])
    except ValueError:
        return False
    return any(address in network for network in PROXY_NETWORKS)


def pre_request(worker, req):
    if not from_trusted_proxy(req.peer_addr):
        req.headers = [
            (name, value) for name, value in req.headers if name not in FORWARDED_HEADERS
        ]


def post_worker_init(worker):
    # Everything loaded so far (Django, the site, its settings) lives as long
    # as the worker: moved out of the garbage collector's sight, a full
    # collection no longer walks it all again, which cost pages tens of
    # milliseconds now and then (the slot search makes thousands of objects).
    gc.freeze()
