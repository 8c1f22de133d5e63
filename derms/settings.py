"""Settings, all read from the environment.

With nothing set, derms runs embedded: SQLite, the in-memory channel layer and a Celery broker on the
file system under ``DERMS_VAR_DIR``. Setting ``DATABASE_URL`` and ``REDIS_URL`` moves the same code onto
PostgreSQL and Redis. Every variable is listed in README.md.
"""

import datetime as dt
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.str(name, default=default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r}: expected one of {', '.join(choices)}")
    return value


_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


def _bool(name: str, default: bool) -> bool:
    """A switch; anything but true/false/1/0/yes/no/on/off is refused, so a typo never means "off"."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    if raw.strip().lower() in _TRUE + _FALSE:
        return raw.strip().lower() in _TRUE
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of {', '.join(_TRUE + _FALSE)}")


def _positive_int(name: str, default: int) -> int:
    raw = env.str(name, default=str(default)).strip()
    if not (raw.isascii() and raw.isdigit()) or int(raw) <= 0:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a positive integer")
    return int(raw)


def _list(name: str, default: list[str]) -> list[str]:
    """Comma-separated values; an empty entry (",," or a trailing comma) is a mistake, not a value."""
    raw = env.str(name, default=",".join(default))
    if not raw:
        return []
    values = [value.strip() for value in raw.split(",")]
    if not all(values):
        raise ImproperlyConfigured(f"{name}={raw!r}: expected comma-separated values without empty ones")
    return values


VAR_DIR = Path(env.str("DERMS_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use DERMS_SECRET_KEY, or one generated once per installation and kept in VAR_DIR."""
    if key := env.str("DERMS_SECRET_KEY", default=""):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _bool("DERMS_DEBUG", False)
ALLOWED_HOSTS = _list("DERMS_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = _list("DERMS_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "treebeard",
    "axes",
    "groups",
    "derms",
    "csip_api",
    "notifications",
    "api",
    "imports",
    "simulator",
]

MIDDLEWARE = [
    # First: the URLs a request may reach depend on the listener it came in on.
    "derms.listeners.ListenerURLConf",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in refused for too many failures into the lockout page (AXES_LOCKOUT_TEMPLATE).
    "axes.middleware.AxesMiddleware",
]

#: The 2030.5 listener's own (derms.wsgi): it routes by listener and nothing else.
CSIP_MIDDLEWARE = ["derms.listeners.ListenerURLConf"]

ROOT_URLCONF = "derms.urls"
# What each listener serves (derms.listeners): the 2030.5 server (gunicorn) and the portal (daphne).
CSIP_URLCONF = "csip_api.urls"
PORTAL_URLCONF = "derms.portal_urls"
WSGI_APPLICATION = "derms.wsgi.application"
ASGI_APPLICATION = "derms.asgi.application"

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
            ],
        },
    },
]

# Database: SQLite in VAR_DIR unless DATABASE_URL is set. PostgreSQL gets psycopg's pool, because
# daphne (ASGI) does not reuse connections through CONN_MAX_AGE (CSIP-NOTES, Serving).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'derms.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": _positive_int("DERMS_DB_POOL_MIN", 2),
        "max_size": _positive_int("DERMS_DB_POOL_MAX", 10),
    }
    # Prepared on first use, but only by derms.prepared_statements' cursors: Django's bind on the client.
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 0)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Opening SQLite and running the PRAGMAs costs ~2 ms, more than a 2030.5 read itself: keep each
    # server thread's connection (bench/mtls_requests.py: 4-5x the requests per second).
    DATABASES["default"]["CONN_MAX_AGE"] = None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Channels and Celery: Redis when REDIS_URL is set, otherwise embedded.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    # The shared tier of the 2030.5 document cache (csip_api.cache.documents): entries are checked
    # against the change feed on every hit, so the timeout only bounds Redis's memory, never staleness.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "csip_documents": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "derms",
            "TIMEOUT": _positive_int("CSIP_SHARED_CACHE_SECONDS", 3600),
            # Django's default would unpickle what is in Redis; entries are plain bytes (no code runs).
            "OPTIONS": {"serializer": "csip_api.cache.documents.BytesSerializer"},
        },
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # kombu's filesystem transport: a real worker process with a durable queue on disk and no broker
    # to install. Messages survive a restart, which an in-process eager mode would not give. Every folder
    # it uses is named here: kombu's default for the exchange table is ./control in the worker's cwd.
    _queue = VAR_DIR / "celery-queue"
    _processed = VAR_DIR / "celery-processed"
    _control = VAR_DIR / "celery-control"
    for _folder in (_queue, _processed, _control):
        _folder.mkdir(exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(_processed),
        "control_folder": str(_control),
        "store_processed": False,
    }
# JSON only, never pickle: a message cannot make a worker run code, whoever could write to the queue.
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = _bool("DERMS_CELERY_EAGER", False)
# Celery beat: clock-driven work. ``manage.py serve`` embeds it in its worker (-B); a larger deployment
# runs exactly one ``celery beat``. Its schedule state is a file, kept with the rest of derms' state.
CELERY_BEAT_SCHEDULE = {
    # Subscribers hear of an event's start or end within seconds (record_transitions settles 5 s).
    "record-event-transitions": {"task": "derms.events.tasks.record_transitions", "schedule": 5.0},
    "prune-changes": {"task": "derms.changefeed.tasks.prune_changes", "schedule": 3600.0},
    # Fan-out of changes coming due (a supersede at a later start) and retries of notifications.
    "sweep-notifications": {"task": "notifications.tasks.sweep", "schedule": 5.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("DERMS_TIME_ZONE", default="America/Los_Angeles")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request while it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "admin:login"

# Sign-in throttling (django-axes) for the portal's one password login, the admin's login form; the
# integration API's tokens and the 2030.5 API's certificates never pass a password. Failures count per
# username from one address, so a typo elsewhere or a guesser at another address locks nobody else out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = _positive_int("DERMS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=_positive_int("DERMS_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/locked_out.html"
# Behind nginx the browser's address is in X-Forwarded-For, believed only from CSIP_TRUSTED_PROXIES.
AXES_CLIENT_IP_CALLABLE = "derms.portal.sign_in.client_address"

_LOG_LEVEL = _choice("DERMS_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _LOG_LEVEL},
}

# How long each process trusts its copy of the change feed's versions before renewing it with one query,
# in milliseconds; every write that records a change waits this long after its commit (a commit wait), so
# nothing anyone learned of is ever served stale (derms.changefeed.lease). Longer: fewer renewals, slower
# writes; the copy holds at most DERMS_VERSION_LEASE_KEYS versions.
DERMS_VERSION_LEASE = _positive_int("DERMS_VERSION_LEASE_MS", 10) / 1000
DERMS_VERSION_LEASE_KEYS = _positive_int("DERMS_VERSION_LEASE_KEYS", 200_000)
# How long a change-feed row stays after it was fanned out to subscribers (for staff to look back).
DERMS_CHANGE_RETENTION = dt.timedelta(hours=_positive_int("DERMS_CHANGE_RETENTION_HOURS", 24 * 7))

# --- CSIP / IEEE 2030.5 ------------------------------------------------------------------------------
# The one place for the utility server's protocol settings (README.md, "Configuration").

# Seconds a client should wait between polls of DeviceCapability, program and control lists.
CSIP_POLL_RATE = _positive_int("CSIP_POLL_RATE", 300)
# Seconds between a client's posts of readings (EndDevice and MirrorUsagePoint postRate).
CSIP_POST_RATE = _positive_int("CSIP_POST_RATE", 300)
# "out_of_band": EndDevices exist once a handbook administrator approves them; "in_band": an approved
# client creates its EndDevice by POSTing it (CSIP 6.1.3, 6.1.4).
CSIP_REGISTRATION_MODE = _choice("CSIP_REGISTRATION_MODE", "out_of_band", ("out_of_band", "in_band"))
# Whether an aggregator may DELETE the EndDevices it manages.
CSIP_AGGREGATOR_MAY_DELETE = _bool("CSIP_AGGREGATOR_MAY_DELETE", False)
# "embedded": the WSGI server terminates mutual TLS itself. "proxy": nginx does, and forwards the
# client certificate in X-Forwarded-Client-Cert, trusted only from CSIP_TRUSTED_PROXIES.
CSIP_TLS_MODE = _choice("CSIP_TLS_MODE", "embedded", ("embedded", "proxy"))
CSIP_TRUSTED_PROXIES = _list("CSIP_TRUSTED_PROXIES", ["127.0.0.1", "::1", "unix"])
# HTTP status for clients that are unknown, unapproved or revoked (CSIP 5.2.1.4).
CSIP_UNAUTHORIZED_STATUS = int(_choice("CSIP_UNAUTHORIZED_STATUS", "404", ("403", "404")))
# Largest page a list returns, whatever `l` asks for.
CSIP_MAX_PAGE_SIZE = _positive_int("CSIP_MAX_PAGE_SIZE", 100)
# The 2030.5 read path's caches, per worker process (csip_api.cache): how many clients it remembers and
# how many bytes of rendered documents it keeps. Both are bounds, not lifetimes: the change feed decides
# what is still current.
CSIP_IDENTITY_CACHE_SIZE = _positive_int("CSIP_IDENTITY_CACHE_SIZE", 20_000)
CSIP_DOCUMENT_CACHE_BYTES = _positive_int("CSIP_DOCUMENT_CACHE_BYTES", 64 * 1024 * 1024)
# Largest request body accepted on the 2030.5 API, in bytes (413 above it).
CSIP_MAX_BODY_BYTES = _positive_int("CSIP_MAX_BODY_BYTES", 2 * 1024 * 1024)
# Where the development PKI (CA, server and client certificates) lives.
CSIP_PKI_DIR = Path(env.str("CSIP_PKI_DIR", default=str(VAR_DIR / "pki")))
# Names the development server certificates are valid for (DNS names or IP addresses); some clients check
# the SAN against the host they dial.
CSIP_PKI_SERVER_NAMES = _list("CSIP_PKI_SERVER_NAMES", ["localhost", "127.0.0.1"])
# The files the embedded TLS server uses (CSIP_TLS_MODE=embedded): the CA bundle client certificates must
# chain to, and the ECDSA P-256 (ECDHE-ECDSA-AES128-CCM8) and RSA (AES256-SHA256) server chains, leaf first.
# They default to the development PKI; point them at the utility's real PKI in production.
CSIP_TLS_CA_FILE = Path(env.str("CSIP_TLS_CA_FILE", default=str(CSIP_PKI_DIR / "ca.pem")))
CSIP_TLS_ECDSA_CERT = Path(env.str("CSIP_TLS_ECDSA_CERT", default=str(CSIP_PKI_DIR / "server-ecdsa.pem")))
CSIP_TLS_ECDSA_KEY = Path(env.str("CSIP_TLS_ECDSA_KEY", default=str(CSIP_PKI_DIR / "server-ecdsa.key")))
CSIP_TLS_RSA_CERT = Path(env.str("CSIP_TLS_RSA_CERT", default=str(CSIP_PKI_DIR / "server-rsa.pem")))
CSIP_TLS_RSA_KEY = Path(env.str("CSIP_TLS_RSA_KEY", default=str(CSIP_PKI_DIR / "server-rsa.key")))

# --- Subscriptions and notifications (notifications/) ---------------------------------------------------
# Aggregators may always subscribe; direct DER clients too unless this is off (CSIP lets them).
CSIP_DIRECT_DER_SUBSCRIPTIONS = _bool("CSIP_DIRECT_DER_SUBSCRIPTIONS", True)
# A subscription lapses this long after it was last posted; clients renew by posting it again.
DERMS_SUBSCRIPTION_LIFETIME = dt.timedelta(hours=_positive_int("DERMS_SUBSCRIPTION_LIFETIME_HOURS", 24 * 7))
# notificationURIs on loopback, link-local or private addresses are refused unless this is on (tests, labs).
DERMS_NOTIFY_PRIVATE_ADDRESSES = _bool("DERMS_NOTIFY_PRIVATE_ADDRESSES", False)
# The certificate the server presents when it POSTs notifications, and the CA bundle receivers must chain to.
DERMS_NOTIFY_CERT = Path(env.str("DERMS_NOTIFY_CERT", default=str(CSIP_PKI_DIR / "notifier.pem")))
DERMS_NOTIFY_KEY = Path(env.str("DERMS_NOTIFY_KEY", default=str(CSIP_PKI_DIR / "notifier.key")))
DERMS_NOTIFY_CA_FILE = Path(env.str("DERMS_NOTIFY_CA_FILE", default=str(CSIP_TLS_CA_FILE)))
# Seconds to wait for a receiver; changes within the coalescing window go out as one notification.
DERMS_NOTIFY_TIMEOUT = _positive_int("DERMS_NOTIFY_TIMEOUT", 10)
DERMS_NOTIFY_COALESCE_SECONDS = _positive_int("DERMS_NOTIFY_COALESCE_SECONDS", 2)
# Attempts before a notification is given up (kept, shown in the portal); the wait doubles, at most an hour.
DERMS_NOTIFY_MAX_ATTEMPTS = _positive_int("DERMS_NOTIFY_MAX_ATTEMPTS", 15)

# --- Live status (live/) ---------------------------------------------------------------------------
# Least time between two messages to one browser, and between two flushes of a process's publisher: a
# burst of reports becomes one message per interval.
DERMS_LIVE_INTERVAL_MS = _positive_int("DERMS_LIVE_INTERVAL_MS", 1000)

# manage.py serve --demo (make start) also runs a small simulated fleet (simulator/) unless this is off.
DERMS_DEMO_FLEET = _bool("DERMS_DEMO_FLEET", True)

# --- Serving (manage.py serve, csip_api/serving/gunicorn_conf.py) -----------------------------------
# The 2030.5 API over mutual TLS. It refuses anyone without a certificate from the CA, so it listens on
# every interface by default; devices on the network must reach it.
CSIP_HTTPS_HOST = env.str("CSIP_HTTPS_HOST", default="0.0.0.0")
CSIP_HTTPS_PORT = _positive_int("CSIP_HTTPS_PORT", 8443)
# How this server names itself in Notification.subscriptionURI (an absolute URI).
CSIP_PUBLIC_URL = env.str("CSIP_PUBLIC_URL", default=f"https://{CSIP_PKI_SERVER_NAMES[0]}:{CSIP_HTTPS_PORT}")
# gunicorn gthread processes and threads per process for the 2030.5 API (CSIP-NOTES "Serving": 2 x 4 on
# two cores). Each thread may hold one database connection.
CSIP_API_WORKERS = _positive_int("CSIP_API_WORKERS", 2)
CSIP_API_THREADS = _positive_int("CSIP_API_THREADS", 4)
# daphne: the portal and its websockets, plain HTTP, on localhost unless told otherwise.
DERMS_PORTAL_HOST = env.str("DERMS_PORTAL_HOST", default="127.0.0.1")
DERMS_PORTAL_PORT = _positive_int("DERMS_PORTAL_PORT", 8000)

# Behind nginx the portal is HTTPS although daphne speaks HTTP; nginx always sets X-Forwarded-Proto, so
# CSRF origin checks and secure cookies see the scheme the browser used.
if CSIP_TLS_MODE == "proxy":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A portal served over HTTPS (behind nginx, as in production) sends its session and CSRF cookies only over
# HTTPS and tells browsers to use nothing else (HSTS). The embedded default's portal is plain HTTP.
DERMS_PORTAL_HTTPS = _bool("DERMS_PORTAL_HTTPS", CSIP_TLS_MODE == "proxy")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = DERMS_PORTAL_HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if DERMS_PORTAL_HTTPS else 0
# IEEE's sep.xsd: request bodies, validation tests and `manage.py validate_xml`; not shipped (IEEE's notice).
CSIP_SCHEMA_PATH = env.str("CSIP_SCHEMA_PATH", default="")
# Check every 2030.5 request body against sep.xsd: on whenever the schema is there (derms cannot ship it, and
# the embedded default must start without it); false only to turn the check off.
CSIP_VALIDATE_BODIES = _bool("CSIP_VALIDATE_BODIES", bool(CSIP_SCHEMA_PATH))
if CSIP_VALIDATE_BODIES and not CSIP_SCHEMA_PATH:
    raise ImproperlyConfigured("CSIP_VALIDATE_BODIES needs CSIP_SCHEMA_PATH")
# Time:quality served to clients: 3 = synchronised to an authoritative source such as NTP (2030.5), up to 7.
CSIP_TIME_QUALITY = int(_choice("CSIP_TIME_QUALITY", "3", ("3", "4", "5", "6", "7")))

# The integration API (api/): tokens for systems, the session for the portal, roles as permissions.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.StaffRole"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "derms integration API",
    "DESCRIPTION": "Topology, devices, authorizations, programs and events for utility systems.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
