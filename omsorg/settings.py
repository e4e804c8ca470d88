"""Settings for omsorgskontakt, read from the environment.

Safe by default: DEBUG is off unless DJANGO_DEBUG=1, and there is no secret key
outside development.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from error


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_str(name: str, default: str = "") -> str:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def env_mapping(name: str) -> dict[str, str]:
    """ "a=x,b=y" -> {"a": "x", "b": "y"}; a pair without "=" is an error."""
    mapping: dict[str, str] = {}
    for item in env_list(name, []):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ImproperlyConfigured(f"{name}: expected NAME=VALUE pairs, got {item!r}.")
        mapping[key.strip()] = value.strip()
    return mapping


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set (or DJANGO_DEBUG=1 for local development)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DJANGO_DEBUG"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "contacts",
    "journal",
    "plans",
    "reports",
    "imports",
    "rota",
    "demo",
    "ops",
    "accounts",
    "audit",
    "jobs",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (django-csp) and Permissions-Policy on every response.
    "csp.middleware.CSPMiddleware",
    "omsorg.security.PermissionsPolicyMiddleware",
    "omsorg.security.IdentityProviderFormActionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "omsorg.security.SessionTimeoutMiddleware",
    "audit.log.AccessLogMiddleware",
    # Last, as django-axes asks: turns a locked-out login into our login page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "omsorg.urls"

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
                "contacts.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "omsorg.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is the embedded default. The web server and the task worker are
    # two processes on one file: write-ahead logging lets readers go on while
    # one writes, and IMMEDIATE transactions take the write lock at BEGIN, so
    # two writers wait for each other (up to the timeout) instead of failing
    # with "database is locked" halfway through.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    )
    # The test database is a file (not in memory), so management commands run
    # in a child process by the tests see the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "tmp" / "test-sqlite.db")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 first (argon2-cffi); hashes made by the other hashers (PBKDF2 before
# Argon2 was introduced) are still accepted and rehashed with Argon2 at the next
# successful login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# django-axes counts failed logins and locks out the combination of user name
# and address after OMSORG_LOGIN_FAILURE_LIMIT failures (so nobody can lock a
# colleague out from another machine), for OMSORG_LOGIN_LOCKOUT_MINUTES or until
# an administrator deletes the attempt in the admin ("Access attempts").
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: refuses a locked-out user name and address.
    "omsorg.security.LoginThrottleBackend",
    # Password login (the embedded demo, break-glass administrators): Django's
    # ModelBackend, refusing all but superusers when OMSORG_LOCAL_LOGIN=0.
    "accounts.backends.LocalPasswordBackend",
    # OpenID Connect (docs/sso.md); does nothing until OIDC_ISSUER is set.
    "accounts.oidc.OIDCBackend",
]
AXES_FAILURE_LIMIT = env_int("OMSORG_LOGIN_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = env_int("OMSORG_LOGIN_LOCKOUT_MINUTES", 30) / 60 or None
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "omsorg.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "omsorg.security.client_address"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("DJANGO_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Single sign-on: OpenID Connect (docs/sso.md) ---------------------------------------
# Password login on /login/ and /admin/login/. Off: only superusers may still
# sign in with a password (break-glass, /login/?nodinloggning).
OMSORG_LOCAL_LOGIN = env_bool("OMSORG_LOCAL_LOGIN", True)
# The provider's issuer; its endpoints come from
# ISSUER/.well-known/openid-configuration. Empty: no single sign-on.
OIDC_ISSUER = env_str("OIDC_ISSUER")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid profile email")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "RS256")
# "Logga in med <organisation>" on the login page.
OIDC_ORGANISATION = env_str("OIDC_ORGANISATION")
# Claim names: the username is matched (without regard to case) with the
# username of the user import.
OIDC_CLAIM_USERNAME = env_str("OIDC_CLAIM_USERNAME", "preferred_username")
OIDC_CLAIM_FIRST_NAME = env_str("OIDC_CLAIM_FIRST_NAME", "given_name")
OIDC_CLAIM_LAST_NAME = env_str("OIDC_CLAIM_LAST_NAME", "family_name")
OIDC_CLAIM_EMAIL = env_str("OIDC_CLAIM_EMAIL", "email")
OIDC_CLAIM_GROUPS = env_str("OIDC_CLAIM_GROUPS", "groups")
# Unit codes; empty: units are left to the user import.
OIDC_CLAIM_UNITS = env_str("OIDC_CLAIM_UNITS")
# Provider group -> role code of the interchange format, e.g.
# "omsorg-chefer=unit_manager,omsorg-personal=care_staff". Empty: roles are
# left to the user import.
OIDC_ROLE_MAP = env_mapping("OIDC_ROLE_MAP")
# Off: only users created beforehand (the user import) may sign in.
OIDC_CREATE_USERS = env_bool("OIDC_CREATE_USERS", True)
# Endpoints, only where the discovery document is wrong or missing.
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_USERINFO_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_JWKS_ENDPOINT")
OIDC_OP_LOGOUT_ENDPOINT = env_str("OIDC_END_SESSION_ENDPOINT")
# Where the provider sends the browser after signing out (registered with
# the provider); empty: this site's /login/.
OIDC_POST_LOGOUT_REDIRECT_URL = env_str("OIDC_POST_LOGOUT_REDIRECT_URL")
# client_secret_basic instead of client_secret_post at the token endpoint.
OIDC_TOKEN_USE_BASIC_AUTH = env_str("OIDC_TOKEN_AUTH", "post") == "basic"
OIDC_VERIFY_SSL = env_bool("OIDC_VERIFY_SSL", True)
OIDC_TIMEOUT = int(env_str("OIDC_TIMEOUT", "10"))
# Not configurable: PKCE, nonce, and the ID token kept for RP-initiated logout.
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True
LOGIN_REDIRECT_URL_FAILURE = "login"

# Uploaded CSV files are parsed in memory; keep them bounded.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
# A session ends 8 hours after login whatever happens, and after 30 minutes
# without a request (omsorg.security.SessionTimeoutMiddleware).
OMSORG_SESSION_MAX_HOURS = env_int("OMSORG_SESSION_MAX_HOURS", 8)
OMSORG_SESSION_IDLE_MINUTES = env_int("OMSORG_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = OMSORG_SESSION_MAX_HOURS * 60 * 60
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): only this site's own scripts, styles and
# images; no inline <script>, <style>, style="" or on...= handlers, no eval, no
# framing. Page styles live in static/css, htmx is told not to inject its
# indicator style (the htmx-config meta tag in base.html). PDF templates are
# rendered by WeasyPrint on the server, never by a browser, and keep their
# <style>.
# "Logga ut" is a form whose answer redirects to the identity provider's
# end-session endpoint (RP-initiated logout), and browsers apply form-action to
# that redirect: the provider's origin is allowed too (OMSORG_CSP_FORM_ACTION
# adds more origins where discovery names another host).
FORM_ACTION_SOURCES = [SELF] + sorted(
    {
        f"{parts.scheme}://{parts.netloc}"
        for parts in map(urlsplit, [OIDC_ISSUER, OIDC_OP_LOGOUT_ENDPOINT])
        if parts.scheme in {"http", "https"} and parts.netloc
    }
    | set(env_list("OMSORG_CSP_FORM_ACTION", []))
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": FORM_ACTION_SOURCES,
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (omsorg.security.PermissionsPolicyMiddleware): the app uses
# none of these browser features, so no page (or anything injected into it)
# may ask for them.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    # Production is served over HTTPS; docker-compose.yml turns these off for
    # plain HTTP on localhost.
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    # Health checks from the container platform come over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default configuration gives the "django" logger a console
        # handler of its own (with DEBUG on) besides the root's, so runserver
        # printed each traceback twice: here it only passes records on to the
        # root's handler. (django.server, the request lines of runserver, keeps
        # its own handler and does not pass them on.)
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # WeasyPrint logs every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes logs every successful login at INFO; failures are warnings.
        "axes": {"level": "WARNING"},
    },
}

# Need-to-know (contacts.access): staff of a unit reach a client while a service
# there is ongoing and this many days after the last one ended, to finish the
# documentation; then no more.
OMSORG_ACCESS_GRACE_DAYS = env_int("OMSORG_ACCESS_GRACE_DAYS", 30)
# The access log (audit): rows older than this many days are removed by
# `manage.py prune_access_log` (run daily by the scheduler). Three years by default.
OMSORG_ACCESS_LOG_DAYS = env_int("OMSORG_ACCESS_LOG_DAYS", 3 * 365)
# Background jobs' files (report PDFs with clients' names, import results)
# are deleted with their jobs this many days after they finished, by the task
# worker after each job and by `manage.py prune_jobs`: a file must not outlast
# its owner's need to know (OMSORG_ACCESS_GRACE_DAYS). At least 1.
OMSORG_JOB_DAYS = env_int("OMSORG_JOB_DAYS", 7)
# Behind a reverse proxy that sets X-Forwarded-For, the client's address is the
# last one the proxy appended; only trust the header when a proxy is in front.
OMSORG_TRUST_X_FORWARDED_FOR = env_bool("OMSORG_TRUST_X_FORWARDED_FOR")

# Background jobs (jobs app): report PDFs and browser imports run in the task
# worker (`manage.py db_worker`, started by `make run` and docker-compose.yml),
# never inside a web request. The database backend needs no other service; a
# broker-based backend (django-tasks-rq) takes the same code when one machine
# is not enough. The tests run tasks at once (ImmediateBackend).
TASKS = {
    "default": {
        "BACKEND": env_str("OMSORG_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Font shipped with the app for PDF output (reports, plans, letters).
PDF_FONT_DIR = BASE_DIR / "static" / "fonts"

# The accessibility statement (lagen (2018:1937) om tillgänglighet till digital
# offentlig service): who provides the service and how to report problems.
# Each installation sets its own organisation and contact.
ACCESSIBILITY_ORGANISATION = os.environ.get("OMSORG_ORGANISATION", "").strip()
ACCESSIBILITY_EMAIL = os.environ.get("OMSORG_ACCESSIBILITY_EMAIL", "").strip()
ACCESSIBILITY_PHONE = os.environ.get("OMSORG_ACCESSIBILITY_PHONE", "").strip()
