"""The CSRF token a filled-in page carries (clinic/filled_pages.py): Django's
`get_token`, with its randomness read from the kernel once.

Django draws the cookie's secret (for a visitor who has none) and the mask
that hides it afresh on every page (against BREACH) with
`get_random_string`, which asks the kernel once per character: 64 system
calls, a tenth of what the consultation form costs to serve. This draws the
same characters, as uniformly, from one read, and leaves everything else to
Django: `CsrfViewMiddleware` sets the cookie and checks the token posted
back, exactly as it does for `get_token`'s.
"""

import secrets

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

ALPHABET = len(CSRF_ALLOWED_CHARS)  # 62
# A byte below this maps to a character uniformly (byte % 62); others are redrawn.
UNIFORM_BELOW = 256 - 256 % ALPHABET
INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}


def random_csrf_string(length=CSRF_SECRET_LENGTH):
    """`length` characters drawn uniformly and independently from Django's
    CSRF alphabet (what `django.middleware.csrf._get_new_csrf_string` gives)."""
    chars = []
    while len(chars) < length:
        # 1 byte in 32 is redrawn: asking for an eighth more nearly always suffices.
        chars += [
            CSRF_ALLOWED_CHARS[byte % ALPHABET]
            for byte in secrets.token_bytes(length + length // 8 + 2)
            if byte < UNIFORM_BELOW
        ]
    return "".join(chars[:length])


def masked_csrf_token(request):
    """What `django.middleware.csrf.get_token(request)` returns, with the
    same effect on the request: the secret is the visitor's cookie, or a new
    one Django will set; either way the cookie is sent again."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = random_csrf_string()
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = random_csrf_string()
    cipher = (
        CSRF_ALLOWED_CHARS[(INDEX[char] + INDEX[key]) % ALPHABET]
        for char, key in zip(secret, mask, strict=True)
    )
    return mask + "".join(cipher)
