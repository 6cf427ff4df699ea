"""
WSGI config for clinic project.

It exposes the WSGI callable as a module-level variable named ``application``:
Django, behind the answer for cached public pages (clinic/page_cache_wsgi.py).

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

application = get_wsgi_application()

from clinic.page_cache_wsgi import serve_cached_pages  # noqa: E402 (needs settings)

application = serve_cached_pages(application)
