"""Settings for the workbench, read once from the environment.

Everything has an embedded default so that `make run` works on a fresh machine (SQLite, tasks run
in-process after commit). Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and
REDIS_URL; a bad value fails loudly at start-up rather than later at request time.
"""

import warnings
from pathlib import Path

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

# Lets the admin's and querysets' generic classes be subscripted at run time (ModelAdmin[Article]),
# as the type checker wants them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file next to manage.py is read when present, so a desk can keep its settings out of the shell.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
_INSECURE_DEV_KEY = "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default=_INSECURE_DEV_KEY)
else:
    # No default outside DEBUG: a production server must never run on the published dev key.
    # SECRET_KEY_FILE lets a container read it from a mounted secret.
    SECRET_KEY = (
        Path(env.str("SECRET_KEY_FILE")).read_text().strip()
        if env.str("SECRET_KEY_FILE", default="")
        else env.str("SECRET_KEY")
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # First: its runserver serves the ASGI application, WebSockets included (make run).
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "annotations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "annotations.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A database that cannot answer is a 503 with Retry-After, not a 500.
    "annotations.web.unavailable.DatabaseUnavailableMiddleware",
    # Which browser tab a change comes from, for the live feed (services.live).
    "annotations.middleware.LiveTabMiddleware",
]

ROOT_URLCONF = "workbench.urls"
WSGI_APPLICATION = "workbench.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "annotations.web.notifications.unread_badge",
            ],
        },
    },
]

_SUPPORTED_DATABASES = ("django.db.backends.postgresql", "django.db.backends.sqlite3")
# What is wrong with DATABASE_URL, if anything. A malformed value does not stop the settings from
# loading, so that commands needing no database (collectstatic, makemessages, check) still run;
# the web server, runserver, migrate and the Celery worker refuse to start with this message
# (workbench.startup). Without it a typo only showed up as a 500 on the first request.
DATABASE_URL_PROBLEM = ""
with warnings.catch_warnings():
    # django-environ warns about an unknown scheme and carries on; the check below says it.
    warnings.simplefilter("ignore")
    try:
        DATABASES = {
            "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
        }
    except ValueError as exc:  # a port that is not a number, and the like
        DATABASES = {"default": {}}
        DATABASE_URL_PROBLEM = f"DATABASE_URL is malformed: {exc}"
if not DATABASE_URL_PROBLEM and DATABASES["default"].get("ENGINE") not in _SUPPORTED_DATABASES:
    DATABASE_URL_PROBLEM = (
        "DATABASE_URL is malformed: it must read like postgres://user:password@host:5432/name "
        "(or sqlite:///path for development)"
    )
if DATABASE_URL_PROBLEM:
    # Any query then fails with Django's "improperly configured" error, never on a guessed database.
    DATABASES = {"default": {"ENGINE": "django.db.backends.dummy"}}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Seconds to wait for the database to accept a connection, and for any one SQL statement of a web
# process. A hung database then costs a request a few seconds and an error, instead of gunicorn's
# 120 s kill; a runaway query is cancelled instead of holding a web worker.
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=3)
DATABASE_STATEMENT_TIMEOUT = env.float("DATABASE_STATEMENT_TIMEOUT", default=30.0)
# Celery workers run exports and releases: with server-side cursors each FETCH of an export is its
# own statement, but behind PgBouncer (DATABASE_DISABLE_SERVER_SIDE_CURSORS) one statement reads a
# whole export, so workers get their own, longer limit. 0 turns a limit off.
WORKER_DATABASE_STATEMENT_TIMEOUT = env.float("WORKER_DATABASE_STATEMENT_TIMEOUT", default=600.0)
# PostgreSQL's JIT compilation, off for the web processes' and workers' connections (sent with the
# statement limit, so not when that is 0: behind PgBouncer, `ALTER DATABASE ... SET jit = off`).
DATABASE_JIT = env.bool("DATABASE_JIT", default=False)
# The statement limits are applied by the processes they are for, as they start
# (workbench.startup.limit_statements: the WSGI application and runserver, `celery worker`), not
# here: migrations, management commands (an export of a million claims) and the test suite's
# database set-up may rightly run longer.


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A new connection for every request by default (0). A connection kept between requests is
    # not covered by connect_timeout, and a hung server never enforces statement_timeout, so the
    # first query of a request on a kept connection to a frozen database (CONN_HEALTH_CHECKS' own
    # SELECT 1 included) waits for gunicorn's kill (120 s); a new one gives up after
    # DATABASE_CONNECT_TIMEOUT and the request is a 503. Keeping them (e.g. 60) saves a few
    # milliseconds of connecting per request, or put PgBouncer in front instead.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    # A ?connect_timeout=, ?options=, ?keepalives_idle= … in DATABASE_URL wins over these.
    _pg_options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
    # A database that vanished from the network (a partition, a crashed host) is noticed by the
    # kernel, not only after gunicorn's kill: TCP keepalives probe an idle connection after 10 s,
    # every 5 s, and drop it after 3 unanswered probes; tcp_user_timeout drops a connection whose
    # sent query has gone unacknowledged for 10 s (a query that is merely slow is acknowledged,
    # so this never cuts a long export). A server that is up but frozen still acknowledges, so a
    # request in the middle of a query to it is bounded by gunicorn's timeout alone.
    _pg_options.setdefault("keepalives", 1)
    _pg_options.setdefault("keepalives_idle", 10)
    _pg_options.setdefault("keepalives_interval", 5)
    _pg_options.setdefault("keepalives_count", 3)
    _pg_options.setdefault("tcp_user_timeout", 10_000)  # milliseconds
    # Behind PgBouncer in transaction mode server-side cursors must be off (exports then buffer).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while an in-process task writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Seconds one cache command may wait for Redis (to connect, or for an answer). The cache only
# holds what can be done without (sign-in and token limits, which then fail open; a kept upload),
# so a hung Redis must cost a request about this much, not a hang.
CACHE_TIMEOUT = env.float("CACHE_TIMEOUT", default=0.5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="workbench"),
            "OPTIONS": {
                "socket_timeout": CACHE_TIMEOUT,
                "socket_connect_timeout": CACHE_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _rate(text: str, name: str) -> tuple[int, int]:
    """'30/hour' as (30, 3600): how many in how many seconds."""
    periods = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
    count, _, period = text.partition("/")
    if not count.strip().isdigit() or period.strip() not in periods:
        raise ImproperlyConfigured(f"{name} must read like 30/hour (second, minute, hour, day)")
    return int(count), periods[period.strip()]


# How many members one person may add in a period (probing usernames is then slow, and the
# membership trail shows it).
MEMBER_ADD_RATE = _rate(env.str("MEMBER_ADD_RATE", default="30/hour"), "MEMBER_ADD_RATE")
# How many comments one person may write (new ones and edits) in a period
# (annotations.services.comments).
COMMENT_RATE = _rate(env.str("COMMENT_RATE", default="20/minute"), "COMMENT_RATE")
# How many failed sign-ins on the sign-in page one username, or one client address, may make in a
# period; past it the page answers 429 without checking the password (annotations.web.auth).
LOGIN_FAILURE_RATE = _rate(env.str("LOGIN_FAILURE_RATE", default="10/minute"), "LOGIN_FAILURE_RATE")
# How many days an invitation link by e-mail works.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=14)

# --- E-mail (invitations) -----------------------------------------------------------------------
# Printed on the server's console by default. EMAIL_URL (smtp+tls://user:password@host:587, or
# smtp+ssl://… for port 465) or EMAIL_HOST with its companions switch to SMTP. The test suite gets
# Django's in-memory backend whatever is set here.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if env.str("EMAIL_URL", default=""):
    _email = env.email_url("EMAIL_URL")
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
    EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
    EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
    EMAIL_PORT = int(
        _email["EMAIL_PORT"] or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
    )
else:
    EMAIL_HOST = env.str("EMAIL_HOST", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
    EMAIL_PORT = env.int(
        "EMAIL_PORT", default=465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25
    )
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    if EMAIL_HOST:
        EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    else:
        EMAIL_HOST = "localhost"
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="workbench@localhost")
# Seconds an SMTP connection may block the request that sends the mail.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "annotations" / "locale"]
FORMAT_MODULE_PATH = ["workbench.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            # Hashed names need `collectstatic` first; the test suite serves from the finders.
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# --- Security (manage.py check --deploy is clean when DEBUG is off) -------------------------------
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The health checks are fetched over plain HTTP by the orchestrator inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$", r"^readyz$"]
# Seconds the readiness check (/readyz) gives the database and the broker to answer (at once).
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=2.0)

# --- REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated request then gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Malformed input is a 400 whatever its shape (annotations.api.parsers, .renderers). Bodies
    # are JSON, the API's own form (the form encodings cannot say null, nested objects or lists of
    # one item as JSON does): anything else is a 415. A view that takes a file upload names its
    # own parsers (multipart), and the schema says so for that view alone.
    "DEFAULT_PARSER_CLASSES": ["annotations.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "annotations.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "annotations.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "annotations.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "annotations.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": env.str("TOKEN_THROTTLE_RATE", default="20/min")},
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fact-checking annotation workbench API",
    "DESCRIPTION": "Articles, claims, sources, assessments and adjudications of fact-checking desks.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The tags' descriptions (annotations.api.schema; its AutoSchema adds each operation's tag and
    # error answers).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "annotations.api.schema.describe_tags",
    ],
    # One name per shared choice set in the schema (fetch and extraction share their statuses).
    "ENUM_NAME_OVERRIDES": {
        "ArticleStatusEnum": "annotations.models.Article.Status",
        # A claim's status as the reader may see it (blind review adds awaiting_verdict).
        "ClaimStatusEnum": "annotations.policy.SHOWN_STATUSES",
        "RoleEnum": "annotations.api.serializers.ROLE_CHOICES",
    },
}

# --- Celery -------------------------------------------------------------------------------------
# Without a broker the tasks run in-process: they are enqueued after commit, so "eager" still means
# after the article is saved, never inside its transaction.
# Sentence embeddings for claim matching and check-worthiness (annotations/extraction/
# embeddings.py): empty for the default multilingual model shipped inside its PyPI package, a
# sentence-transformers model directory (the embeddings-st extra), or "none" for the rules alone.
EMBEDDING_MODEL = env.str("EMBEDDING_MODEL", default="")
# BLAS threads one process gives the model: one per worker process, more processes to scale.
EMBEDDING_THREADS = env.int("EMBEDDING_THREADS", default=1)
# The cosine from which two claims are the same claim; unset: the model's measured default.
EMBEDDING_MATCH_THRESHOLD = env.float("EMBEDDING_MATCH_THRESHOLD", default=None)
# Vectors each process keeps in memory (the most recently used; 0: none), so that matching
# against a large corpus does not read all its vectors from the database each time: 100,000
# vectors of the default model's 512 dimensions are 205 MB at most.
EMBEDDING_CACHE_VECTORS = env.int("EMBEDDING_CACHE_VECTORS", default=100_000)

# --- Live pages (Django Channels) ---------------------------------------------------------------
# workbench.asgi serves /ws/ (annotations.consumers). Pages on one server process can share the
# in-memory channel layer; several processes (gunicorn for HTTP and daphne for /ws/, or several
# daphne) need Redis, which REDIS_URL provides. Every wait on Redis is bounded.
ASGI_APPLICATION = "workbench.asgi.application"
CHANNEL_LAYERS = {
    "default": (
        {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # Above the layer's own 5 s blocking read; connecting fails fast.
                        "socket_timeout": 10,
                        "socket_connect_timeout": 2,
                    }
                ],
                "capacity": 1000,
                "expiry": 30,
            },
        }
        if REDIS_URL
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}
# Where pages open their socket: empty for the page's own origin (make run, or a proxy sending
# /ws/ to daphne), else e.g. wss://live.desk.example when daphne answers on its own address.
LIVE_URL = env.str("LIVE_URL", default="").rstrip("/")
# Presence: a page says it is still there every PRESENCE_PING seconds; one silent for
# PRESENCE_TIMEOUT seconds (its server died) no longer counts. A closed tab is gone at once.
PRESENCE_PING = 25
PRESENCE_TIMEOUT = 90

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# Redis redelivers an unacknowledged task after this; it must exceed the longest task.
# Bound the publish: with Redis down a .delay() must fail fast so the request still succeeds and
# the periodic sweep re-enqueues the work later.
TASK_PUBLISH_TIMEOUT = env.float("TASK_PUBLISH_TIMEOUT", default=3.0)
# A publish (annotations.services.outbox: one retry) waits on the broker at most three times when
# Redis hangs: for the answer on the pooled connection, then, retrying, to connect and for the
# answer on a new one (measured: 9.0 s with each wait as long as the whole budget). Each wait
# gets a third of TASK_PUBLISH_TIMEOUT so the save as a whole stays within it
# (tests/test_timeouts.py). Change the retry policy and this divisor together.
BROKER_SOCKET_TIMEOUT = TASK_PUBLISH_TIMEOUT / 3
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT,
    "socket_timeout": BROKER_SOCKET_TIMEOUT,
    "socket_connect_timeout": BROKER_SOCKET_TIMEOUT,
}
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The periodic sweep (annotations.services.sweep), run by `celery -A workbench beat`: it sends
# again the fetches and extractions queued for longer than ARTICLE_REQUEUE_AFTER seconds (the
# broker was down when the article was saved) or running for longer than the task time limit.
ARTICLE_REQUEUE_AFTER = env.int("ARTICLE_REQUEUE_AFTER", default=10 * 60)
ARTICLE_SWEEP_INTERVAL = env.int("ARTICLE_SWEEP_INTERVAL", default=5 * 60)
# The task outbox (annotations.services.outbox): every task a write asks for is a row written in
# the same transaction. The outbox sweep, run every OUTBOX_SWEEP_INTERVAL seconds, sends again a
# row not started OUTBOX_REDISPATCH_AFTER seconds after it was last sent, or whose running task
# stopped renewing its OUTBOX_LEASE (a killed worker); it stops a task after OUTBOX_MAX_ATTEMPTS
# runs and deletes done rows after OUTBOX_KEEP_DAYS days.
OUTBOX_SWEEP_INTERVAL = env.int("OUTBOX_SWEEP_INTERVAL", default=60)
OUTBOX_REDISPATCH_AFTER = env.int("OUTBOX_REDISPATCH_AFTER", default=5 * 60)
OUTBOX_LEASE = env.int("OUTBOX_LEASE", default=60)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=7)
# Notifications (annotations.services.notifications): a reminder when an assigned article is due
# within NOTIFY_DUE_SOON_HOURS, and the sweep that writes reminders and sends the e-mails blind
# review held back and the daily digests, every NOTIFY_SWEEP_INTERVAL seconds.
NOTIFY_DUE_SOON_HOURS = env.int("NOTIFY_DUE_SOON_HOURS", default=24)
NOTIFY_SWEEP_INTERVAL = env.int("NOTIFY_SWEEP_INTERVAL", default=300)
NOTIFY_SWEEP_BATCH = 500
# Webhooks (annotations.services.webhooks): each sending waits at most WEBHOOK_TIMEOUT seconds to
# connect and as long for the answer; a failed one is sent again after WEBHOOK_RETRY_BASE seconds,
# doubling each time up to WEBHOOK_RETRY_MAX, WEBHOOK_MAX_ATTEMPTS times in all (the defaults:
# 8 attempts over about an hour), by the sweep run every WEBHOOK_SWEEP_INTERVAL seconds. Finished
# deliveries are kept in the log WEBHOOK_KEEP_DAYS days. Targets must resolve to public addresses,
# unless their host is listed in WEBHOOK_ALLOWED_HOSTS (comma-separated: e.g. the desk's own CMS;
# `host` on its scheme's port, `host:port` on that port only, `host:*` on any port).
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=5.0)
WEBHOOK_RETRY_BASE = env.int("WEBHOOK_RETRY_BASE", default=30)
WEBHOOK_RETRY_MAX = env.int("WEBHOOK_RETRY_MAX", default=6 * 3600)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_SWEEP_INTERVAL = env.int("WEBHOOK_SWEEP_INTERVAL", default=30)
WEBHOOK_KEEP_DAYS = env.int("WEBHOOK_KEEP_DAYS", default=30)
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])
WEBHOOK_MAX_PER_WORKSPACE = env.int("WEBHOOK_MAX_PER_WORKSPACE", default=20)
CELERY_BEAT_SCHEDULE = {
    "sweep-webhooks": {
        "task": "annotations.sweep_webhooks",
        "schedule": float(WEBHOOK_SWEEP_INTERVAL),
        "options": {"expires": float(WEBHOOK_SWEEP_INTERVAL)},
    },
    "sweep-notifications": {
        "task": "annotations.sweep_notifications",
        "schedule": float(NOTIFY_SWEEP_INTERVAL),
        "options": {"expires": float(NOTIFY_SWEEP_INTERVAL)},
    },
    "sweep-stalled-articles": {
        "task": "annotations.sweep_stalled_articles",
        "schedule": float(ARTICLE_SWEEP_INTERVAL),
        # A sweep not run before the next one is due is dropped, not piled up behind it.
        "options": {"expires": float(ARTICLE_SWEEP_INTERVAL)},
    },
    "sweep-outbox": {
        "task": "annotations.sweep_outbox",
        "schedule": float(OUTBOX_SWEEP_INTERVAL),
        "options": {"expires": float(OUTBOX_SWEEP_INTERVAL)},
    },
}

# --- Article import -----------------------------------------------------------------------------
ARTICLE_FETCH_TIMEOUT = env.float("ARTICLE_FETCH_TIMEOUT", default=15.0)
ARTICLE_FETCH_MAX_BYTES = env.int("ARTICLE_FETCH_MAX_BYTES", default=5 * 1024 * 1024)
ARTICLE_FETCH_MAX_REDIRECTS = env.int("ARTICLE_FETCH_MAX_REDIRECTS", default=5)
# Only a development or test set-up should fetch from 127.0.0.1 or a private network.
ARTICLE_FETCH_ALLOW_PRIVATE = env.bool("ARTICLE_FETCH_ALLOW_PRIVATE", default=False)
ARTICLE_MAX_CHARS = env.int("ARTICLE_MAX_CHARS", default=1_000_000)

# --- Bulk import (annotations.services.imports) -------------------------------------------------
# The largest file an import takes, uploaded or fetched; uploads past Django's in-memory size go to
# a temporary file, so memory stays flat.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=200 * 1024 * 1024)
IMPORT_FETCH_TIMEOUT = env.float("IMPORT_FETCH_TIMEOUT", default=30.0)
# The longest a whole download of an import's file may take, in seconds.
IMPORT_FETCH_DEADLINE = env.float("IMPORT_FETCH_DEADLINE", default=600.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
