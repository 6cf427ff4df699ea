"""
Settings for the back-pain clinic site.

Everything that differs between a laptop and production is read from the
environment. With no environment at all the site runs in development mode on
an embedded SQLite database; production sets DEBUG=0 and must then supply a
SECRET_KEY (and, normally, DATABASE_URL and ALLOWED_HOSTS). The README lists
every variable.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import csp.constants
import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG=0. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "development-only-key-never-used-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The site's public address: canonical links, the sitemap, structured data and
# links in emails are built from it, never from the request's Host header.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("SITE_URL must start with http:// or https://")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "clinic",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "huey.contrib.djhuey",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "stretches",
    "consultations",
    "practice",
    "booking",
    "patient_data",
    "audit",
    "reversion",
]

# The page cache comes first: it stores a public page only if the final
# response, after every middleware below, is the same for everyone, and then
# serves it again, with the headers they set, before any of them runs (see
# clinic/page_cache.py). The security headers come next, so that every other
# response carries them: static files and the admin alike. WhiteNoise answers
# static files before the rest runs; GZip sits above every middleware that
# reads or writes the body, so it compresses last.
MIDDLEWARE = [
    # Outside the page cache, so cached pages are logged too; it adds only the
    # request id, which differs on every response (clinic/request_log.py).
    "clinic.request_log.RequestLogMiddleware",
    "clinic.page_cache.PageCacheMiddleware",
    # Sees the headers every middleware below gives a page filled in per
    # visitor, to answer the next such request ahead of them
    # (clinic/filled_pages_wsgi.py: a new middleware that acts on public GETs must run there too).
    "clinic.filled_pages_wsgi.RecordFilledPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "clinic.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "clinic.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Staff only, admin pages only: an idle session ends, then patient data
    # needs a second factor (see clinic/idle_sessions.py, clinic/second_factor.py).
    "clinic.idle_sessions.StaffIdleTimeoutMiddleware",
    "clinic.second_factor.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clinic.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: it turns lockouts into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
# The admin's address: a less obvious path keeps most password guessing away.
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.clinic",
                "practice.context_processors.contact",
            ],
        },
    },
    # The fragments a guide repeats for each stretch (`*.jinja`), rendered by
    # the `fragment` tag: Jinja2 renders them in a third of the time Django's
    # language takes, and the article is rendered afresh after every content
    # edit (clinic/jinja.py says what the fragments may use).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "clinic.jinja.environment"},
    },
]

WSGI_APPLICATION = "clinic.wsgi.application"


# Database: SQLite unless DATABASE_URL says otherwise (PostgreSQL in
# production). SQLite is set up for several writers at once: WAL lets readers
# carry on during a write, the busy timeout makes a writer wait instead of
# failing, and IMMEDIATE transactions take the write lock up front so two
# transactions never deadlock upgrading a read lock.
SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))

DB_CONN_MAX_AGE = int(os.environ.get("DB_CONN_MAX_AGE", "60"))

# PostgreSQL connections are kept open between requests (DB_CONN_MAX_AGE) and
# checked before each request reuses one, so a database restart costs the
# requests in flight at that moment, not every request after it. That is the
# default because gunicorn's sync workers serve one request at a time: a pool
# in each process would never lend more than the one connection it holds.
# DB_POOL=1 uses Django's psycopg 3 pool instead, for threaded workers
# (gthread) or ASGI; it checks a connection before lending it, and waits at
# most DB_POOL_TIMEOUT seconds for one. Django requires CONN_MAX_AGE 0 then.
DB_POOL = env_bool("DB_POOL", False)
DB_POOL_MIN_SIZE = int(os.environ.get("DB_POOL_MIN_SIZE", "1"))
DB_POOL_MAX_SIZE = int(os.environ.get("DB_POOL_MAX_SIZE", "4"))
DB_POOL_TIMEOUT = float(os.environ.get("DB_POOL_TIMEOUT", "10"))

if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"],
            conn_max_age=0 if DB_POOL else DB_CONN_MAX_AGE,
            # With the pool, Django has it check each connection it lends.
            conn_health_checks=True,
        )
    }
    if DB_POOL:
        if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured("DB_POOL=1 needs a PostgreSQL DATABASE_URL.")
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": DB_POOL_MIN_SIZE,
            "max_size": DB_POOL_MAX_SIZE,
            "timeout": DB_POOL_TIMEOUT,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            # Reused like PostgreSQL's: opening a file and running the PRAGMAs
            # on every request would cost more than a cached page.
            "CONN_MAX_AGE": DB_CONN_MAX_AGE,
            "OPTIONS": {
                "timeout": float(os.environ.get("SQLITE_TIMEOUT", "20")),
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

# In production, collectstatic writes each file under a content-hashed name
# with gzip copies beside it, and WhiteNoise serves those with a far-future
# Cache-Control. Development keeps plain names, so no collectstatic is needed
# (tests included).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "clinic.static_files.StaticFilesStorage"
        )
    },
}

# Files browsers ask for at the site's root (favicon.ico), served by WhiteNoise.
# Without one, every first visit logs a 404 in the browser console.
WHITENOISE_ROOT = BASE_DIR / "public"

MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Uploads (stretch images and their renditions, clinician photos, the logo)
# go to MEDIA_ROOT on this machine unless MEDIA_STORAGE=s3 puts them in an
# S3-compatible bucket through django-storages, which every app server then
# shares. Credentials come from boto3's usual places (AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, or the machine's role), never from this file.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local").strip().lower()
# Where browsers load media from, for the Content-Security-Policy: the same
# site, unless the bucket serves them.
MEDIA_ORIGINS = []
if MEDIA_STORAGE == "s3":
    AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL", "").rstrip("/") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME", "") or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN", "").strip("/") or None
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "region_name": AWS_S3_REGION_NAME,
            "custom_domain": AWS_S3_CUSTOM_DOMAIN,
            "location": os.environ.get("AWS_LOCATION", "").strip("/"),
            # Public pictures at plain addresses: a signed address expires,
            # and cached pages would go on showing it.
            "querystring_auth": False,
            "default_acl": None,
            # Two uploads named back.jpg must not replace each other.
            "file_overwrite": False,
            # Renditions are named by a digest of the image, so a changed
            # image gets new addresses and browsers may keep these for a year.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            # An address under the endpoint's own origin (not a subdomain of
            # it), which the Content-Security-Policy below can name.
            "addressing_style": "path" if AWS_S3_ENDPOINT_URL else None,
        },
    }
    if AWS_S3_CUSTOM_DOMAIN:
        MEDIA_ORIGINS = [f"https://{AWS_S3_CUSTOM_DOMAIN}"]
    elif AWS_S3_ENDPOINT_URL:
        _endpoint = urlsplit(AWS_S3_ENDPOINT_URL)
        MEDIA_ORIGINS = [f"{_endpoint.scheme}://{_endpoint.netloc}"]
    else:
        MEDIA_ORIGINS = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
        if AWS_S3_REGION_NAME:
            MEDIA_ORIGINS.append(
                f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_S3_REGION_NAME}.amazonaws.com"
            )
elif MEDIA_STORAGE != "local":
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'local' or 's3'.")

# Rendered public pages (see clinic/page_cache.py) and the site settings record
# live here (rate-limit counts do not: see clinic/ratelimit.py). Each gunicorn
# process has its own memory cache unless REDIS_URL gives them a shared one,
# as production should; either way a page is never stale, as its key carries the content version.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "clinic",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

# Off only to measure or debug what rendering costs: every request renders.
PAGE_CACHE = env_bool("PAGE_CACHE", True)

# Serves /__baseline__/, a fixed short response through the same middleware
# as every page, which the benchmark compares the pages against. Off (404)
# unless the benchmark turns it on.
BENCHMARK_BASELINE = env_bool("BENCHMARK_BASELINE", False)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# When on, a guide or stretch whose clinical wording changed cannot be (or
# stay) published until a clinical reviewer marks the review done.
CONTENT_REQUIRE_CLINICAL_REVIEW = env_bool("CONTENT_REQUIRE_CLINICAL_REVIEW", False)
# How long a draft's signed preview address works.
CONTENT_PREVIEW_MINUTES = int(os.environ.get("CONTENT_PREVIEW_MINUTES", "60"))

# The clinic's name until staff save the site settings record in the admin
# (clinic.models.SiteSettings, which also holds the logo and social links).
CLINIC_NAME = os.environ.get("CLINIC_NAME", "Back Pain Clinic")
# The clinic's contact details, likewise, until staff save them: shown in the
# footer, on the 429 and 503 pages and in the privacy notice. The address
# takes "|" between its lines (an environment variable holds one line).
CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "")
CLINIC_EMAIL = os.environ.get("CLINIC_EMAIL", "")
CLINIC_ADDRESS = "\n".join(
    part.strip() for part in os.environ.get("CLINIC_ADDRESS", "").split("|") if part.strip()
)
# Where patients can complain about how their data is handled (the privacy
# notice): the UK's regulator unless set for another country.
DATA_PROTECTION_LAW = os.environ.get("DATA_PROTECTION_LAW", "UK GDPR")
DATA_PROTECTION_REGULATOR = os.environ.get(
    "DATA_PROTECTION_REGULATOR", "the Information Commissioner’s Office (ICO)"
)
DATA_PROTECTION_REGULATOR_URL = os.environ.get(
    "DATA_PROTECTION_REGULATOR_URL", "https://ico.org.uk/"
)

# Consultation requests.
# Numbers given to patients whose answers show warning signs: 999 / 111 in
# the UK; 911 in the US and 112 in the EU (leave URGENT_ADVICE_NUMBER empty
# where there is no same-day advice line).
EMERGENCY_NUMBER = os.environ.get("EMERGENCY_NUMBER", "999")
URGENT_ADVICE_NUMBER = os.environ.get("URGENT_ADVICE_NUMBER", "111")
# Where phone numbers written without a country code are assumed to be.
PHONE_REGION = os.environ.get("PHONE_REGION", "GB")
CONSULTATION_NOTIFY_EMAILS = env_list("CONSULTATION_NOTIFY_EMAILS", [])
CONSULTATION_RESPONSE_DAYS = int(os.environ.get("CONSULTATION_RESPONSE_DAYS", "2"))
CONSULTATION_RETENTION_MONTHS = int(os.environ.get("CONSULTATION_RETENTION_MONTHS", "12"))
# Per client address: at most this many requests ("5/h": five an hour).
CONSULTATION_RATE_LIMIT = os.environ.get("CONSULTATION_RATE_LIMIT", "5/h")
# A person needs more than this to fill in the form; bots do it at once.
CONSULTATION_MIN_FILL_SECONDS = float(os.environ.get("CONSULTATION_MIN_FILL_SECONDS", "3"))

# Email. Development prints mail to the console; production sends through
# the SMTP server given here.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clinic@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Outbox: emails are written to the database with the request they are about
# and sent by the worker, which tries again after OUTBOX_RETRY_SECONDS,
# doubling the wait each time (at most OUTBOX_RETRY_MAX_SECONDS), until
# OUTBOX_MAX_ATTEMPTS tries have failed.
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "5"))
OUTBOX_RETRY_SECONDS = float(os.environ.get("OUTBOX_RETRY_SECONDS", "60"))
OUTBOX_RETRY_MAX_SECONDS = float(os.environ.get("OUTBOX_RETRY_MAX_SECONDS", "3600"))
# A second alert goes to staff when nobody has opened an emergency request
# in the admin this many minutes after it arrived.
EMERGENCY_ESCALATION_MINUTES = float(os.environ.get("EMERGENCY_ESCALATION_MINUTES", "15"))

# The background worker (Huey: `manage.py run_huey`). Its queue lives in the
# site's own database by default: a SQLite file beside the site's, or tables in
# the PostgreSQL database. TASK_QUEUE=redis moves it to REDIS_URL.
TASK_QUEUE = os.environ.get("TASK_QUEUE", "database")
WORKER_POLL_SECONDS = float(os.environ.get("WORKER_POLL_SECONDS", "1"))
if TASK_QUEUE == "redis":
    if not os.environ.get("REDIS_URL"):
        raise ImproperlyConfigured("TASK_QUEUE=redis needs REDIS_URL.")
    _task_storage = {"huey_class": "huey.RedisHuey", "url": os.environ["REDIS_URL"]}
elif TASK_QUEUE != "database":
    raise ImproperlyConfigured("TASK_QUEUE must be 'database' or 'redis'.")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _task_storage = {
        "huey_class": "huey.SqliteHuey",
        "filename": os.environ.get("TASK_QUEUE_SQLITE_PATH", SQLITE_PATH + "-tasks"),
        "timeout": 20,
    }
else:
    _database = DATABASES["default"]
    _task_storage = {
        "huey_class": "huey.PostgresHuey",
        "dbname": _database["NAME"],
        "user": _database.get("USER") or None,
        "password": _database.get("PASSWORD") or None,
        "host": _database.get("HOST") or None,
        "port": _database.get("PORT") or None,
        # A migration creates the tables: settings must not need the database.
        "create_tables": False,
    }
HUEY = {
    "name": "clinic",
    # Tasks report through the database (the outbox), not through results.
    "results": False,
    # Tasks always go through the queue, even in development (DEBUG=1).
    "immediate": False,
    **_task_storage,
    "consumer": {
        "workers": 1,
        "worker_type": "thread",
        "periodic": True,
        "max_delay": WORKER_POLL_SECONDS,
        "scheduler_interval": 1,
    },
}


# Security.
# How many reverse proxies stand in front of the site. Each must append the
# address it received the request from to X-Forwarded-For; with 0 the header
# is ignored and the connection's address is the client's.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT > 0:
    # The proxy terminates HTTPS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Health checks come over plain HTTP, straight to an app server.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's database sessions, read with plain SQL (clinic/sessions.py).
SESSION_ENGINE = "clinic.sessions"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Limits on what a request may carry: larger bodies get 400, not a slow death.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(1024 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# Everything comes from this site: no inline scripts or styles, no plugins,
# no framing. The admin gets the same policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.constants.SELF],
        "script-src": [csp.constants.SELF],
        "style-src": [csp.constants.SELF],
        "img-src": [csp.constants.SELF, *MEDIA_ORIGINS],
        "font-src": [csp.constants.SELF],
        "connect-src": [csp.constants.SELF],
        "form-action": [csp.constants.SELF],
        "base-uri": [csp.constants.SELF],
        "object-src": [csp.constants.NONE],
        "frame-ancestors": [csp.constants.NONE],
    }
}

PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    ]
}

# Staff who can see patient data give a code from an authenticator app
# (clinic/second_factor.py); the app names the account after the clinic.
OTP_TOTP_ISSUER = CLINIC_NAME
# A staff session ends after this long without a request to the admin.
STAFF_IDLE_TIMEOUT_MINUTES = int(os.environ.get("STAFF_IDLE_TIMEOUT_MINUTES", "30"))

# Admin logins: lock out a user name from an address after repeated failures,
# and an address after as many failures across any user names (guessing one
# common password against many accounts).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "clinic.network.client_ip"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False

# Error reports: server errors are emailed to ADMINS in production. They
# never include form data or the values of variables, which could hold a
# patient's details (see clinic/errors.py).
ADMINS = [("Site administrator", address) for address in env_list("ADMIN_EMAILS", [])]
DEFAULT_EXCEPTION_REPORTER_FILTER = "clinic.errors.PrivateExceptionReporterFilter"

# Logs are JSON lines (clinic/logs.py) carrying the request's id, and never a
# patient's details: requests are logged by route, not path, and with no query
# string, form data or address (clinic/request_log.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "clinic.logs.JsonFormatter"}},
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "route_not_path": {"()": "clinic.request_log.RouteNotPath"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "filters": ["route_not_path"],
            "propagate": False,
        },
        # Configured here, so the worker (run_huey) adds no second handler.
        "huey": {"handlers": ["console"], "propagate": False},
    },
}


# Booking (see booking/availability.py): what the rules allow patients to book.
BOOKING_MINIMUM_NOTICE_MINUTES = int(os.environ.get("BOOKING_MINIMUM_NOTICE_MINUTES", "120"))
BOOKING_HORIZON_WEEKS = int(os.environ.get("BOOKING_HORIZON_WEEKS", "8"))
BOOKING_SLOT_STEP_MINUTES = int(os.environ.get("BOOKING_SLOT_STEP_MINUTES", "15"))
BOOKING_HOLD_MINUTES = int(os.environ.get("BOOKING_HOLD_MINUTES", "10"))
BOOKING_CHANGE_CUTOFF_HOURS = int(os.environ.get("BOOKING_CHANGE_CUTOFF_HOURS", "24"))
# Only the default: staff choose in the admin's site settings once they are saved.
BOOKING_CONFIRMATION = os.environ.get("BOOKING_CONFIRMATION", "automatic").strip().lower()
if BOOKING_CONFIRMATION not in {"automatic", "staff"}:
    raise ImproperlyConfigured("BOOKING_CONFIRMATION must be 'automatic' or 'staff'.")
if BOOKING_SLOT_STEP_MINUTES < 5 or BOOKING_SLOT_STEP_MINUTES % 5:
    raise ImproperlyConfigured("BOOKING_SLOT_STEP_MINUTES must be a multiple of 5.")
