"""Pages the same for everyone but for a few tokens, compressed once.

The consultation form (consultations/form_page.py) and a week of booking
times (booking/day_page.py) are rendered once with placeholders where each
visitor's tokens go. Compressing the filled-in page for every visitor cost
as much as filling it in and more than half of what the rest of the view
did. So the parts between the tokens are compressed once, each ending on a
byte boundary (a full flush), and each visitor's tokens go between them as
stored (uncompressed) deflate blocks: valid gzip, built by joining bytes.

The tokens are never compressed along with anything else, so a response
cannot leak them through its compressed length (BREACH); the gzip header
carries random padding as Django's GZipMiddleware adds it.
"""

import re
import secrets
import struct
import zlib

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.html import escape

from clinic.recent import Recent

ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as GZipMiddleware tests it

# The final, empty block that ends a deflate stream.
LAST_BLOCK = b"\x03\x00"
# Random padding in the header, as GZipMiddleware adds (its max_random_bytes).
MOST_RANDOM_BYTES = 100
# Random bytes read as letters: the padding's length is what must not be guessed.
LETTERS = bytes(b"abcdefghijklmnopqrstuvwxyz"[byte % 26] for byte in range(256))


# Pages this process served lately, by cache key (one state of what the
# page shows): saves the shared cache's read and cutting and compressing.
_recent_pages = Recent()


def filled_page(key, placeholders, render, timeout):
    """The FilledPage stored under `key`; `render()` makes its HTML, with
    the placeholders in it, when no process has yet (kept `timeout` seconds
    in the shared cache, for the other processes)."""

    def make():
        html = cache.get(key)
        if html is None:
            html = render()
            cache.set(key, html, timeout)
        return FilledPage(html, placeholders)

    return _recent_pages.get_or_make(key, make)


def made_page(key):
    """The FilledPage under `key` if this process has made it, else None."""
    return _recent_pages.get(key)


class FilledPage:
    """A page's HTML cut at its placeholders, with each part's bytes and
    their deflate blocks ready."""

    def __init__(self, html, placeholders):
        self.placeholders = placeholders
        pattern = "|".join(re.escape(placeholder) for placeholder in placeholders)
        pieces = re.split(f"({pattern})", html)
        self.parts = [piece.encode() for piece in pieces[::2]]
        self.slots = pieces[1::2]  # which placeholder stood between each two parts
        self.deflated = [_deflate(part) for part in self.parts]

    def html(self, values):
        """The page with `values` (by placeholder, unescaped) filled in."""
        return b"".join(self._pieces(values)).decode()

    def gzipped(self, values):
        """The same page as a gzip file, compressing only the tokens' bytes
        (as stored blocks)."""
        pieces = list(self._pieces(values))
        body = [_gzip_header()]
        crc, size = 0, 0
        for index, piece in enumerate(pieces):
            crc = zlib.crc32(piece, crc)
            size += len(piece)
            body.append(self.deflated[index // 2] if index % 2 == 0 else _stored(piece))
        body += [LAST_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF)]
        return b"".join(body)

    def _pieces(self, values):
        yield self.parts[0]
        escaped = {placeholder: escape(value).encode() for placeholder, value in values.items()}
        for slot, part in zip(self.slots, self.parts[1:], strict=True):
            yield escaped[slot]
            yield part

    def response(self, request, values):
        """An HttpResponse of the page for this visitor, gzipped when their
        browser accepts it."""
        if ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            response = HttpResponse(self.gzipped(values))
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(self.html(values))
        patch_vary_headers(response, ("Accept-Encoding",))
        return response


def _deflate(data):
    # A raw deflate stream of its own, ended by a full flush: byte-aligned,
    # no final block, needing nothing before it.
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def _stored(data):
    """`data` as stored deflate blocks (at most 65,535 bytes each)."""
    blocks = []
    for start in range(0, len(data), 0xFFFF):
        chunk = data[start : start + 0xFFFF]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


def _gzip_header():
    # ID, deflate, FNAME set, no time, no extra flags, unknown OS; then a
    # random file name of random length, ended by a zero byte.
    length = 1 + secrets.randbelow(MOST_RANDOM_BYTES)
    name = secrets.token_bytes(length).translate(LETTERS)
    return b"\x1f\x8b\x08\x08\x00\x00\x00\x00\x00\xff" + name + b"\x00"
