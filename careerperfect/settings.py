"""CareerPerfect settings: one module, driven by the environment.

With no environment at all this is the embedded default for development: SQLite
under var/, a filesystem Celery broker, mail written to files under var/mail/.
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL
(see the README for the full table).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from kombu import Queue

from careerperfect.database import pooled_connection_check

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = env(name, "1" if default else "0").strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def envint(name: str, default: int) -> int:
    value = env(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", True)

_DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off. "
            'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY
elif not DEBUG and (
    SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "SECRET_KEY is not a real secret: use at least 50 random characters when DEBUG is off."
    )

# Former keys, comma-separated, while rotating SECRET_KEY: what they signed (private
# order links, unsubscribe and share links, sessions) keeps working until it expires.
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS")

# Keys the hashes that keep an erased address suppressed; it must never change once
# data exists, so production sets it on its own rather than inheriting SECRET_KEY.
CONSENT_DIGEST_KEY = env("CONSENT_DIGEST_KEY", SECRET_KEY)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ".localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# Serves bench/load.py's baseline page; only for the load benchmark.
BENCHMARK_PAGES = envbool("BENCHMARK_PAGES", False)
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "careerperfect.admin_site.CareerPerfectAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "careerperfect",
    "accounts",
    "consent",
    "privacy",
    "mail",
    "partners",
    "orders",
    "feedback",
    "contests",
    "assessments",
    "resumes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "careerperfect.middleware.SignedInPagesNeverStoredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.unsent_forms.UnsentFormMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "partners.middleware.PartnerMiddleware",
    "privacy.middleware.AnalyticsMiddleware",
    "careerperfect.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "careerperfect.urls"
WSGI_APPLICATION = "careerperfect.wsgi.application"

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
                "django.template.context_processors.csp",
                "careerperfect.context_processors.site",
                "privacy.context_processors.privacy",
                "accounts.unsent_forms.unsent_form",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"), conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's own psycopg 3 connection pool; CONN_MAX_AGE must stay 0 with it. The
    # check makes the pool drop connections a database restart has broken, without a
    # round trip (careerperfect.database).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": envint("DATABASE_POOL_MIN", 2),
        "max_size": envint("DATABASE_POOL_MAX", 10),
        "timeout": envint("DATABASE_POOL_TIMEOUT", 10),
        "check": pooled_connection_check,
    }
    if envbool("DATABASE_PREPARED_STATEMENTS", True):
        # Parameters sent apart from the SQL, so that psycopg prepares a statement a
        # pooled connection has run five times: PostgreSQL then plans it once per
        # connection instead of on every request. Planning was most of what the
        # signed-in pages' queries cost (bench/load.py). Off behind a pooler that
        # cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the embedded worker and the web process read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Redis, Celery -------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "careerperfect.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cp",
            "OPTIONS": {
                # If Redis is down the site keeps answering: the cache misses, rate
                # limits do not apply for that time, and the outage is logged.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Aggregate usage counts (P1) are buffered here per request and moved to the database
# by beat. The web server and the worker must share it: Redis when configured, else
# files under var/ (the embedded default runs them as separate processes).
CACHES["analytics"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "cp-analytics",
        # A Redis that does not answer costs a push one second, never a hang.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "analytics-buffer"),
        # A few hundred counters at most; never cull one before it is flushed.
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    }
)

# Rendered fragments whose cache key names everything they show (a page of success
# stories by the ids of its stories, which cannot change once published): nothing
# needs clearing across processes, so each process keeps its own, in memory.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
# How long a task taken by a worker that died stays invisible before Redis hands it
# out again. Tasks are idempotent, so a retry countdown longer than this only costs
# a redundant delivery; a shorter timeout brings work of a dead worker back sooner.
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600),
    # Queueing a task tries to reach the broker once, for a second at most, instead of
    # kombu's four to six seconds of retries: work queued from a request is in the
    # database first and a sweep queues it again, so a request need not wait. (A
    # worker's own connection keeps retrying: broker_connection_max_retries.)
    "max_retries": 0,
    "socket_connect_timeout": 1,
}
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    for _folder in (_queue_dir, VAR_DIR / "celery" / "control"):
        _folder.mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
# Every task is idempotent, so a message is acknowledged only once its work is done
# and is delivered again if the worker dies mid-way.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 180)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Opt-outs have a queue of their own, so that a campaign of 100,000 deliveries in
# "campaigns" can never delay a "remove" e-mail. A worker started without --queues
# consumes all three; production runs one worker for "optouts,default" and another
# for "campaigns" (see the README).
# Each queue has its own routing key, so that a task can only ever reach one queue.
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in ("optouts", "default", "campaigns")]
CELERY_TASK_ROUTES = {
    "mail.tasks.inbound_delivery_process": {"queue": "optouts"},
    "mail.tasks.inbound_deliveries_requeue": {"queue": "optouts"},
    "mail.tasks.imap_mailbox_poll": {"queue": "optouts"},
    "mail.tasks.campaign_*": {"queue": "campaigns"},
}

# --- Inbound "remove" mail (P5) -------------------------------------------------
# imaps://user:password@host[:port]/INBOX (imap:// without TLS, for a local server);
# polled by beat every IMAP_POLL_SECONDS. Empty: no mailbox is polled.
IMAP_URL = env("IMAP_URL")
IMAP_POLL_SECONDS = envint("IMAP_POLL_SECONDS", 30)
# A folder to move handled "remove" requests to (empty: they stay, marked read).
IMAP_DONE_FOLDER = env("IMAP_DONE_FOLDER")
# E-mail services whose inbound webhook is routed, e.g. "mailgun" (see the README).
MAIL_INBOUND_WEBHOOKS = envlist("MAIL_INBOUND_WEBHOOKS")
# The "this wasn't me" link of a confirmation works for this many days.
MAIL_UNDO_MAX_AGE_DAYS = envint("MAIL_UNDO_MAX_AGE_DAYS", 30)
# What an e-mail we sent said (its text, HTML and headers: links that sign in, confirm
# or undo among them) is kept this many days after it was queued, then cleared; who it
# went to, its subject, kind, status and times stay as the record of sending.
OUTBOUND_MAIL_KEEP_DAYS = envint("OUTBOUND_MAIL_KEEP_DAYS", 30)
# Aggregate usage counting (P1) can be switched off, e.g. to measure what it costs.
ANALYTICS_ENABLED = envbool("ANALYTICS_ENABLED", True)
# A web process adds its counts to the shared buffer this often (and when it exits).
ANALYTICS_PUSH_SECONDS = envint("ANALYTICS_PUSH_SECONDS", 5)
ANALYTICS_FLUSH_SECONDS = envint("ANALYTICS_FLUSH_SECONDS", 300)
# Each periodic task expires unrun shortly before its next turn: while no worker runs,
# beat's copies do not pile up in the queue.
CELERY_BEAT_SCHEDULE: dict = {
    "outbound-messages-sweep": {
        "task": "mail.tasks.outbound_messages_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # "Remove" e-mail from the webhook whose task never reached the broker, or was lost.
    "inbound-deliveries-requeue": {
        "task": "mail.tasks.inbound_deliveries_requeue",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "privacy-analytics-flush": {
        "task": "privacy.tasks.analytics_buffer_flush",
        "schedule": ANALYTICS_FLUSH_SECONDS,
        "options": {"expires": max(ANALYTICS_FLUSH_SECONDS - 5, 1)},
    },
    "data-exports-expire": {
        "task": "accounts.tasks.data_exports_expire",
        "schedule": 3600,
        "options": {"expires": 3500},
    },
    # "Download my data" builds whose task never reached the broker.
    "data-exports-requeue": {
        "task": "accounts.tasks.data_exports_requeue",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    "outbound-messages-forget": {
        "task": "mail.tasks.outbound_messages_forget",
        "schedule": 3600,
        "options": {"expires": 3500},
    },
    "sessions-clear-ended": {
        "task": "accounts.tasks.sessions_clear_ended",
        "schedule": 3600,
        "options": {"expires": 3500},
    },
    "file-deletions-retry": {
        "task": "privacy.tasks.file_deletions_retry",
        "schedule": 900,
        "options": {"expires": 850},
    },
    # Submitted assessments whose scoring was never queued (broker down) or has paused.
    "sittings-scoring-requeue": {
        "task": "assessments.tasks.sittings_scoring_requeue",
        "schedule": 120.0,
        "options": {"expires": 110},
    },
    # Paid Stripe payments whose card brand and last 4 digits were never fetched.
    "payments-card-details-requeue": {
        "task": "orders.tasks.payments_card_details_requeue",
        "schedule": 3600,
        "options": {"expires": 3500},
    },
    "campaigns-dispatch-due": {
        "task": "mail.tasks.campaigns_dispatch_due",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
if IMAP_URL:
    CELERY_BEAT_SCHEDULE["imap-mailbox-poll"] = {
        "task": "mail.tasks.imap_mailbox_poll",
        "schedule": float(IMAP_POLL_SECONDS),
        # A poll that waited longer than its interval is dropped: the next one covers it.
        "options": {"expires": max(IMAP_POLL_SECONDS - 5, 5)},
    }

# --- Accounts -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# A form refused because its token went stale is kept for its author (accounts/unsent_forms.py).
CSRF_FAILURE_VIEW = "accounts.unsent_forms.csrf_failure"
LOGIN_REDIRECT_URL = "accounts:privacy"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm", "login": "accounts.forms.LoginForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CareerPerfect] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_PREVENT_ENUMERATION = True
# Adding, removing or choosing the main address asks for the password again (MFA's
# pages already do), and the account is told by e-mail of every change to its
# addresses, password or two-factor authentication: an open session alone cannot
# quietly move the account to another address (OWASP ASVS V2.2.3, V3.7.1).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "confirm_email": "1/180s/key",
    # Per address: a few in a row, and at most ten a day, however many machines ask
    # (the mail goes to whoever owns the address: it must not become a way to flood it).
    "reset_password": "20/m/ip,5/m/key,10/d/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    # Our own public forms, through allauth's rate limiter.
    "feedback": "10/h/ip",
    # A visitor's published story e-mails its withdraw link to the address typed, with
    # the names typed in it: per address too, however many machines send the form.
    "feedback_address": "3/h/key,10/d/key",
    "contest_entry": "20/h/ip",
    # Forms kept for their author after the session ended (accounts/unsent_forms.py).
    "unsent_form": "20/h/ip",
    # New links to guest orders are e-mailed. "Find an order": per sender, and per
    # address typed (beyond which nothing more is sent, though the page says the same);
    # an expired link's "send a new one": per order, so that no one else can use it up.
    "order_links": "10/h/ip",
    "order_links_address": "3/h/key",
    "order_link_renew": "10/h/ip,3/h/key",
    "data_export": "5/d/user",
}
# The limits above "per ip" count the address a request came from: behind a load
# balancer that is the balancer's, shared by every visitor, so one visitor's failed
# sign-ins would lock everyone out. The number of proxies in front that append to
# X-Forwarded-For (1 for one load balancer); never more, since a client writes the rest.
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Staff must have two-factor authentication to use the admin (on by default in
# production; the embedded default's demo staff have none).
ADMIN_REQUIRE_MFA = envbool("ADMIN_REQUIRE_MFA", not DEBUG)
MFA_TOTP_ISSUER = "CareerPerfect"

# Product promise P15: no data is collected from anyone below this age.
MINIMUM_AGE = envint("MINIMUM_AGE", 13)

# P2: a partner report suppresses every figure below this count.
PARTNER_REPORT_MIN_COUNT = envint("PARTNER_REPORT_MIN_COUNT", 10)

# Rows on each page of a person's lists that grow with their history: My orders,
# feedback sent, and the consent history and disclosures on My privacy.
LIST_PAGE_SIZE = 20

# --- Mail -----------------------------------------------------------------------
# EMAIL_BACKEND picks the backend. It defaults to SMTP (EMAIL_HOST, default localhost),
# except in development (DEBUG on, no EMAIL_HOST): mail is then written to files under
# var/mail/ for the developer to read. For an
# e-mail service via django-anymail, e.g. EMAIL_BACKEND=anymail.backends.postmark.
# EmailBackend and ANYMAIL_POSTMARK_SERVER_TOKEN=…: ANYMAIL_<NAME> variables become
# ANYMAIL["<NAME>"].
_email_host = env("EMAIL_HOST")
_email_backend = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG and not _email_host
    else "django.core.mail.backends.smtp.EmailBackend",
)
if _email_backend.endswith("smtp.EmailBackend"):
    _mailer_options = {
        "host": _email_host or "localhost",
        "port": envint("EMAIL_PORT", 587),
        "username": env("EMAIL_HOST_USER"),
        "password": env("EMAIL_HOST_PASSWORD"),
        "use_tls": envbool("EMAIL_USE_TLS", True),
        "timeout": envint("EMAIL_TIMEOUT", 20),
    }
elif _email_backend.endswith("filebased.EmailBackend"):
    _mailer_options = {"file_path": str(VAR_DIR / "mail")}
else:
    _mailer_options = {}
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _mailer_options}}
# ANYMAIL_<NAME>_FILE holds the path of a file with the value, as for every secret.
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): env(name)
    for name in {name.removesuffix("_FILE") for name in os.environ if name.startswith("ANYMAIL_")}
}
if MAIL_INBOUND_WEBHOOKS and not DEBUG and not ANYMAIL.get("WEBHOOK_SECRET"):
    # Without it anymail only warns, and a service that signs nothing (Postmark) would
    # take "remove" mail from anyone who posts to the webhook.
    raise ImproperlyConfigured(
        "ANYMAIL_WEBHOOK_SECRET (or ANYMAIL_WEBHOOK_SECRET_FILE) must be set when "
        "MAIL_INBOUND_WEBHOOKS is, with DEBUG off: the inbound webhook's user:password."
    )
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "CareerPerfect <noreply@careerperfect.localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# The published contact address; e-mail to it with "remove" in the subject opts out (P5).
CONTACT_EMAIL = env("CONTACT_EMAIL", "admin@careerperfect.localhost")
# Mail from these addresses (besides CONTACT_EMAIL, DEFAULT_FROM_EMAIL, SERVER_EMAIL)
# is ours and never treated as a "remove" request: it would be a loop.
OWN_EMAIL_ADDRESSES = envlist("OWN_EMAIL_ADDRESSES")
CONTACT_PHONE = env("CONTACT_PHONE", "1-800-555-0142")

# --- Data rights ----------------------------------------------------------------
# "Download my data" ZIPs: private files (never under a public URL), served only to
# their owner and deleted by beat once expired. Web and worker processes must share
# this directory (a shared volume when they run on several machines).
DATA_EXPORT_DIR = Path(env("DATA_EXPORT_DIR", str(VAR_DIR / "data-exports")))
DATA_EXPORT_EXPIRY_DAYS = envint("DATA_EXPORT_EXPIRY_DAYS", 7)
# How long a guest order's private link (in the receipt) shows the order; after that
# the buyer asks for a new one, e-mailed to the order's address.
ORDER_LINK_DAYS = envint("ORDER_LINK_DAYS", 30)
# --- Assessments ----------------------------------------------------------------
# Who scores a submitted assessment (P11): "local" scores in the Celery worker; "http"
# posts to a scoring partner only a random sitting token, the instrument code and the
# answers, signed with HMAC-SHA256 using ASSESSMENT_SCORING_SECRET.
ASSESSMENT_SCORING_PROVIDER = env("ASSESSMENT_SCORING_PROVIDER", "local")
ASSESSMENT_SCORING_URL = env("ASSESSMENT_SCORING_URL")
ASSESSMENT_SCORING_SECRET = env("ASSESSMENT_SCORING_SECRET")
ASSESSMENT_SCORING_TIMEOUT = envint("ASSESSMENT_SCORING_TIMEOUT", 10)
if ASSESSMENT_SCORING_PROVIDER not in {"local", "http"}:
    raise ImproperlyConfigured("ASSESSMENT_SCORING_PROVIDER must be local or http.")
if ASSESSMENT_SCORING_PROVIDER == "http":
    if not (ASSESSMENT_SCORING_URL and ASSESSMENT_SCORING_SECRET):
        raise ImproperlyConfigured(
            "ASSESSMENT_SCORING_URL and ASSESSMENT_SCORING_SECRET must be set for http scoring."
        )
    if not DEBUG and not ASSESSMENT_SCORING_URL.startswith("https://"):
        raise ImproperlyConfigured("ASSESSMENT_SCORING_URL must use https when DEBUG is off.")

# --- Internationalisation -------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
# Our English wording for some of django-allauth's texts (sentence case).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Static files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
STORAGES["data_exports"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": str(DATA_EXPORT_DIR),
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    },
}

# --- Private files --------------------------------------------------------------
# Resumes and drafts: outside STATIC_ROOT and any URL, served only by views that
# check who is asking (careerperfect.private_files).
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
STORAGES["private"] = {
    "BACKEND": "careerperfect.private_files.PrivateStorage",
    "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
}
# Set behind nginx (e.g. /_private/, an `internal` location aliasing PRIVATE_MEDIA_ROOT)
# to hand file bodies to the proxy with X-Accel-Redirect instead of streaming them here.
PRIVATE_MEDIA_ACCEL_REDIRECT = env("PRIVATE_MEDIA_ACCEL_REDIRECT")
RESUME_UPLOAD_MAX_BYTES = envint("RESUME_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
# How long a recipient's link to a resume the owner chose to send them keeps working.
RESUME_SHARE_LINK_DAYS = envint("RESUME_SHARE_LINK_DAYS", 14)

# --- Security -------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
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
        "xr-spatial-tracking",
    )
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Messages live in the session, so the site sets no cookie beyond those in the registry.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Sent only on HTTPS responses, so harmless to a developer's http://127.0.0.1.
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if envbool("SECURE_PROXY_SSL_HEADER", False):
        # Only behind a proxy that sets this header itself and strips it from clients.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Payments -------------------------------------------------------------------
# Card data never reaches this server (P12): buyers pay on the provider's hosted page.
# "sandbox" (the default) is a page of our own that asks for no card and lets the
# buyer pick the outcome, for development and demos; production uses "stripe"
# (Stripe Checkout), which needs both keys below.
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", "sandbox")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
# Seconds a Stripe webhook's signed timestamp may be old before it is refused.
STRIPE_WEBHOOK_TOLERANCE = envint("STRIPE_WEBHOOK_TOLERANCE", 300)
if PAYMENT_PROVIDER not in {"sandbox", "stripe"}:
    raise ImproperlyConfigured(
        f"PAYMENT_PROVIDER must be sandbox or stripe, not {PAYMENT_PROVIDER!r}."
    )
if PAYMENT_PROVIDER == "stripe":
    if not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET):
        raise ImproperlyConfigured(
            "PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET."
        )
    # The checkout form's answer redirects to Stripe Checkout; browsers apply
    # form-action to that redirect.
    SECURE_CSP["form-action"] = [*SECURE_CSP["form-action"], "https://checkout.stripe.com"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
