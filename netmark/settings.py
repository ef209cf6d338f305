"""netmark settings, driven by ``NETMARK_*`` environment variables (README, "Configuration")."""

from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from netmark.config import env_bool, env_int, env_list, env_secret, env_str
from netmark.core.jobs import JSONSerializer

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_secret("SECRET_KEY", DATA_DIR)
DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("TESTING", False)

PUBLIC_URL = env_str("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
_public = urlparse(PUBLIC_URL)
if _public.scheme not in {"http", "https"} or not _public.hostname:
    raise ImproperlyConfigured("NETMARK_PUBLIC_URL must be an http or https URL, e.g. https://mk.example.com")
SECURE_DEPLOYMENT = _public.scheme == "https"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or [
    _public.hostname,
    "127.0.0.1",
    "localhost",
    "[::1]",
    "testserver",
]
CSRF_TRUSTED_ORIGINS = [f"{_public.scheme}://{_public.netloc}"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "huey.contrib.djhuey",
    "ninja",
    "netmark.core",
    "netmark.positioning",
    "netmark.planning",
    "netmark.analytics",
    "netmark.links",
    "netmark.contacts",
    "netmark.capture",
    "netmark.roi",
    "netmark.mailing",
    "netmark.reports",
    "netmark.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "netmark.core.bodylimit.BodyLimitMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "netmark.core.middleware.AuditContextMiddleware",
    "netmark.core.textguard.ApiTextGuardMiddleware",
]

ROOT_URLCONF = "netmark.urls"
WSGI_APPLICATION = "netmark.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "netmark.web.context.navigation",
            ],
        },
    },
]

# Records: SQLite in WAL mode under the data folder, PostgreSQL when NETMARK_DATABASE_URL is set.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "netmark.db",
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
# Events (analytics): SQLite files in the data folder, PostgreSQL with the records or NETMARK_EVENTS_URL.
EVENTS_URL = env_str("EVENTS_URL")
EVENTS_FSYNC = env_bool("EVENTS_FSYNC", False)
# SQLite only: reports read Parquet segments through DuckDB (docs/decisions.md, "columnar read side").
EVENTS_COLUMNAR = env_bool("EVENTS_COLUMNAR", True)
# Seconds an append waits for the event store before the event goes to the local spool.
EVENTS_BUSY_TIMEOUT = float(env_str("EVENTS_BUSY_TIMEOUT", "1.0"))
# X-Forwarded-For is trusted only from these proxies (addresses or networks).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
INGEST_PER_IP_MINUTE = env_int("INGEST_PER_IP_MINUTE", 1200)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
OTP_TOTP_ISSUER = "netmark"  # the name authenticator apps show next to the code
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: English and Simplified Chinese, times stored in UTC.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "web" / "vendor"] if (PACKAGE_DIR / "web" / "vendor").is_dir() else []

# Jobs: Huey on SQLite in the embedded default, on Redis when NETMARK_REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", TESTING)
if REDIS_URL:
    HUEY = {
        "huey_class": "netmark.core.jobs.PriorityRedisHuey",
        "name": "netmark",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "serializer": JSONSerializer(),
    }
else:
    HUEY = {
        "huey_class": "netmark.core.jobs.SqliteHuey",
        "name": "netmark",
        "filename": str(DATA_DIR / "jobs.db"),
        "immediate": HUEY_IMMEDIATE,
        "serializer": JSONSerializer(),
    }
# SIGTERM (systemd, docker, netmark serve) lets the job in flight finish before the consumer exits.
HUEY["consumer"] = {"workers": env_int("WORKERS", 2), "worker_type": "thread", "graceful_signal": "TERM"}

# Installation email: SMTP when configured, otherwise files in var/outbox/ shown in the UI.
SMTP_URL = env_str("SMTP_URL")
DEFAULT_FROM_EMAIL = env_str("FROM_EMAIL", "netmark <netmark@localhost>")
if SMTP_URL:
    _smtp = urlparse(SMTP_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _smtp.hostname or "localhost"
    EMAIL_PORT = _smtp.port or (465 if _smtp.scheme == "smtps" else 25)
    EMAIL_HOST_USER = _smtp.username or ""
    EMAIL_HOST_PASSWORD = _smtp.password or ""
    EMAIL_USE_SSL = _smtp.scheme == "smtps"
    EMAIL_USE_TLS = _smtp.scheme == "smtp+starttls"
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "outbox"

# Email feedback (docs/mailing.md): VERP bounces to netmark's own SMTP receiver, tracking, DNS checks.
MACHINE_NETWORKS = env_list("MACHINE_NETWORKS")
BOUNCE_DOMAIN = env_str("BOUNCE_DOMAIN", _public.hostname or "localhost")
BOUNCE_SERVER = env_bool("BOUNCE_SERVER", False)  # netmark serve starts the receiver too
# Campaign messages carry VERP return paths once bounces have somewhere to go: the receiver runs
# here, or a bounce domain was configured; otherwise bounces go to the SMTP server's own address.
VERP = env_bool("VERP", BOUNCE_SERVER or bool(env_str("BOUNCE_DOMAIN", "")))
BOUNCE_SMTP_HOST = env_str("BOUNCE_SMTP_HOST", "127.0.0.1")  # 0.0.0.0 to take mail from the internet
BOUNCE_SMTP_PORT = env_int("BOUNCE_SMTP_PORT", 2525)
BOUNCE_MAX_BYTES = env_int("BOUNCE_MAX_BYTES", 2_000_000)
SOFT_BOUNCES_TO_SUPPRESS = env_int("SOFT_BOUNCES_TO_SUPPRESS", 3)  # soft bounces of one address ...
SOFT_BOUNCE_DAYS = env_int("SOFT_BOUNCE_DAYS", 15)  # ... within this many days suppress it
MACHINE_SECONDS = env_int("MACHINE_SECONDS", 10)  # opens / clicks this soon after sending: machines
WEBHOOK_REPLAY_SECONDS = env_int("WEBHOOK_REPLAY_SECONDS", 600)
DNS_NAMESERVERS = env_list("DNS_NAMESERVERS")  # empty: the system's resolver (/etc/resolv.conf)
DNS_PORT = env_int("DNS_PORT", 53)
DNS_TIMEOUT_SECONDS = env_int("DNS_TIMEOUT_SECONDS", 3)

# Outbound connections: private addresses are refused unless an operator allows them.
ALLOW_PRIVATE_ADDRESSES = env_bool("ALLOW_PRIVATE_ADDRESSES", False)
# Campaign sending: seconds a worker's lease on its rows lasts (renewed every third of it), and
# the sending jobs (one SMTP connection each) a campaign runs in parallel.
CAMPAIGN_LEASE_SECONDS = env_int("CAMPAIGN_LEASE_SECONDS", 60)
CAMPAIGN_CONNECTIONS = env_int("CAMPAIGN_CONNECTIONS", 2)

# API: requests per minute per token (per process in the embedded default, README).
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT", 600)
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 1_048_576)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_UPLOAD_BYTES", 10 * 1_048_576)
NINJA_PAGINATION_PER_PAGE = 50

# Security headers on every response; https deployments switch on the production settings.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
if SECURE_DEPLOYMENT:
    SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "netmark": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
        "netmark.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Rate limits and caches: per process in the embedded default, Redis when configured.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "netmark"}}
