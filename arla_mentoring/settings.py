"""ArLA Mentoring settings: one file, driven by environment variables.

With nothing set, the site runs for a newcomer on a laptop: SQLite, Celery tasks
run in process, email printed to the console, DEBUG on. In production every value
comes from the environment (see `.env.example`); a bad value stops the process at
start-up with a message naming the variable, instead of misbehaving later.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local `.env` is a convenience for developers; real deployments set the
# environment itself. It never overrides what the environment already says.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env", overwrite=False)


_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}


def _env(kind, name, **kwargs):
    """Read one variable, turning a malformed value into a loud, named error."""
    if kind == "bool":
        # environ reads any unknown word as False; a typo must not turn DEBUG off silently, or on.
        raw = env.str(name, default="").strip().lower()
        if not raw:
            return kwargs["default"]
        if raw not in _BOOLEANS:
            raise ImproperlyConfigured(f"Environment variable {name} is invalid: use true or false, not {raw!r}.")
        return _BOOLEANS[raw]
    try:
        return getattr(env, kind)(name, **kwargs)
    except (ValueError, ImproperlyConfigured) as e:
        raise ImproperlyConfigured(f"Environment variable {name} is invalid: {e}") from e


DEBUG = _env("bool", "DEBUG", default=True)

_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production"
SECRET_KEY = _env("str", "SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = [h for h in _env("list", "ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []) if h]
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = _env("list", "CSRF_TRUSTED_ORIGINS", default=[])

# The public address of the site, used in links inside emails sent by workers,
# where no request tells us the host.
SITE_URL = _env("url", "SITE_URL", default="http://127.0.0.1:8000").geturl().rstrip("/")

INSTALLED_APPS = [
    "arla_mentoring.apps.AdminConfig",  # django.contrib.admin, its app list built once a request
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.forms",  # the form widgets' own templates, for FORM_RENDERER below
    "allauth",
    "allauth.account",
    "crispy_forms",
    "crispy_bootstrap5",
    # Our apps, in the order they depend on each other: outbox <- members <- pairs <- matching.
    "outbox",
    "members",
    "pairs",
    "matching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "arla_mentoring.middleware.private_no_store",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "arla_mentoring.middleware.NotFoundPageInDebug",
]

if not DEBUG:
    # Production serves collected static files itself; in development and tests,
    # runserver and the live test server serve them from static/ directly.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "arla_mentoring.urls"
WSGI_APPLICATION = "arla_mentoring.wsgi.application"

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
                "members.program.program_context",
            ],
            # A field written as |as_crispy_field writes it, without its template (form_layout.py).
            "libraries": {"lean_fields": "arla_mentoring.lean_tags"},
        },
    },
]

# Form widgets render through the project's templates, so that templates/django/forms/
# can replace one of Django's widget templates (select.html: the same markup, faster).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------------
DATABASES = {"default": _env("db_url", "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"].get("ENGINE") not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
    raise ImproperlyConfigured(
        "Environment variable DATABASE_URL is invalid: use postgres://… (or sqlite:///… to try the site)."
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default, where requests are threads of one process sharing one file. Each
    # transaction takes the write lock when it begins (IMMEDIATE), so a second writer waits up to
    # SQLITE_TIMEOUT seconds for it instead of failing at once with "database is locked" (a
    # DEFERRED transaction that read first cannot wait: SQLite refuses it to avoid a deadlock).
    # WAL lets pages be read while a long write (a proposal's hundreds of pairs) runs.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": _env("float", "SQLITE_TIMEOUT", default=20.0),
            "init_command": "PRAGMA journal_mode=WAL",
        }
    )
DATABASES["default"]["CONN_MAX_AGE"] = _env("int", "CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache ------------------------------------------------
# Without REDIS_URL, tasks run in process and the cache is per process: enough to
# try the product, not to run it (allauth's rate limits then count per process).
REDIS_URL = _env("str", "REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("Environment variable REDIS_URL must start with redis://, rediss:// or unix://.")
# Short timeouts everywhere Redis is touched: a hung Redis must make a web request
# fail fast (and the outbox sweep pick the work up later), never hang it.
REDIS_TIMEOUT = _env("float", "REDIS_TIMEOUT", default=2.0)

if REDIS_URL:
    CACHES = {
        "default": {
            # While Redis does not answer, this process's memory stands in (arla_mentoring/cache.py):
            # logins, signups and password resets go on, their rate limits still counting.
            "BACKEND": "arla_mentoring.cache.RedisCacheWithStandIn",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "arla",
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = _env("bool", "CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # the database holds every outcome we care about
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves the task for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
# Publishing gives up fast: the outbox row is already saved, and the sweep re-queues it.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_TIMEOUT,
    "socket_timeout": REDIS_TIMEOUT,
    "max_retries": 1,
    "visibility_timeout": 3600,
}
CELERY_TIMEZONE = "America/Chicago"
# Periodic work lives here, in code (django-celery-beat does not support Django 6.1).
# Every entry is safe to run twice and to run late.
HOUR = 60 * 60
CELERY_BEAT_SCHEDULE = {
    "members-renewal-reminders": {"task": "members.tasks.send_renewal_reminders", "schedule": 24 * HOUR},
    # The outbox's safety net: re-queues emails whose task was lost.
    "outbox-sweep": {"task": "outbox.tasks.sweep_outbox", "schedule": 5 * 60},
    "pairs-checkin-reminders": {"task": "pairs.tasks.send_checkin_reminders", "schedule": 24 * HOUR},
    # Daily, but keyed by month: each liaison gets one digest a month, on the first run of the month.
    "pairs-liaison-digests": {"task": "pairs.tasks.send_liaison_digests", "schedule": 24 * HOUR},
    "pairs-evaluation-invitations": {"task": "pairs.tasks.send_evaluation_invitations", "schedule": 24 * HOUR},
    "pairs-survey-invitations": {"task": "pairs.tasks.send_survey_invitations", "schedule": 24 * HOUR},
    "pairs-survey-reminders": {"task": "pairs.tasks.send_survey_reminders", "schedule": 24 * HOUR},
    "pairs-complete-due": {"task": "pairs.tasks.complete_due_pairs", "schedule": 6 * HOUR},
    # Offers to mentors: the reminder at half-time, then the committee told (accept-first cycles).
    "pairs-offers-follow-up": {"task": "pairs.tasks.follow_up_offers", "schedule": 24 * HOUR},
    # Pairs with no first contact by its day: a nudge to both, then the liaison told.
    "pairs-first-contact-follow-up": {"task": "pairs.tasks.follow_up_first_contact", "schedule": 24 * HOUR},
    # Daily, but keyed by the pair's month: each side gets a month's topic once, on the first run of it.
    "pairs-monthly-topics": {"task": "pairs.tasks.send_monthly_topics", "schedule": 24 * HOUR},
}

# --- Email (Django 6.1 MAILERS) ------------------------------------------------------
# EMAIL_URL examples: consolemail:// (default), smtp+tls://user:pass@host:587,
# smtps://user:pass@host:465. Only the default mailer is used.
_email = _env("email_url", "EMAIL_URL", default="consolemail://")
_mailer = {"BACKEND": _email["EMAIL_BACKEND"]}
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    _mailer["OPTIONS"] = {
        "host": _email.get("EMAIL_HOST") or "localhost",
        "port": _email.get("EMAIL_PORT") or 25,
        "username": _email.get("EMAIL_HOST_USER") or "",
        "password": _email.get("EMAIL_HOST_PASSWORD") or "",
        "use_tls": bool(_email.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
        "timeout": _env("int", "EMAIL_TIMEOUT", default=10),
    }
MAILERS = {"default": _mailer}
DEFAULT_FROM_EMAIL = _env("str", "DEFAULT_FROM_EMAIL", default="ArLA Mentoring <mentoring@arlib.example>")
SERVER_EMAIL = _env("str", "SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = [("Site admin", a) for a in _env("list", "ADMINS", default=[])]

# --- Accounts (django-allauth) -------------------------------------------------------
AUTH_USER_MODEL = "members.User"
SITE_ID = 1
# One backend, allauth's as members.accounts adapts it (it extends ModelBackend, so the
# admin's permissions work). With ModelBackend listed too, a failed login hashed the
# password once in each of them.
AUTHENTICATION_BACKENDS = ["members.accounts.AuthenticationBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:profile"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Mandatory verification is also what makes enumeration prevention complete on signup.
ACCOUNT_EMAIL_VERIFICATION = _env("str", "ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
if ACCOUNT_EMAIL_VERIFICATION not in {"mandatory", "optional", "none"}:
    raise ImproperlyConfigured("Environment variable ACCOUNT_EMAIL_VERIFICATION must be mandatory, optional or none.")
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "members.accounts.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "members.accounts.LoginForm",
    "change_password": "members.accounts.ChangePasswordForm",
    "set_password": "members.accounts.SetPasswordForm",
    "signup": "members.accounts.SignupForm",
    "reset_password": "members.accounts.ResetPasswordForm",
    "reset_password_from_key": "members.accounts.ResetPasswordKeyForm",
}
ACCOUNT_SIGNUP_REDIRECT_URL = "members:membership-join"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "members:program"
# The subject prefix is the program's sender name, from its settings (members.accounts.AccountAdapter).
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/180s/key",
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Chicago"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic gathers the files WhiteNoise serves (relative: to the project folder).
STATIC_ROOT = BASE_DIR / _env("str", "STATIC_ROOT", default="staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production (run collectstatic); plain files
        # while developing and testing, so nothing has to be collected first.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Uploaded files (mentoring resources) ------------------------------------------------
# Never served from MEDIA_URL, by Django or by the proxy: `members:resource-file`
# hands each file to signed-in members only. MEDIA_ROOT must be writable by the
# web process and kept across deployments (back it up with the database).
MEDIA_URL = "/media/"
# A relative path is taken from the project folder.
MEDIA_ROOT = BASE_DIR / _env("str", "MEDIA_ROOT", default="media")

# --- Security ---------------------------------------------------------------------------
# Production defaults follow DEBUG; each can be overridden, e.g. behind a proxy that
# terminates TLS and already redirects (then set SECURE_SSL_REDIRECT=False).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if _env("bool", "BEHIND_PROXY", default=not DEBUG) else None
)
SECURE_SSL_REDIRECT = _env("bool", "SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = _env("int", "SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env("bool", "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Preloading is what `check --deploy` asks for; a site that cannot promise HTTPS on
# every subdomain for good should set SECURE_HSTS_PRELOAD=False.
SECURE_HSTS_PRELOAD = _env("bool", "SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = _env("bool", "SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = _env("bool", "CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: everything comes from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Logging: one line per event to stderr, collected by whatever runs the process ------
LOG_LEVEL = _env("str", "LOG_LEVEL", default="INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured("Environment variable LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"refusals_on_one_line": {"()": "arla_mentoring.log_filters.RefusalsOnOneLine"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # A refused page (403) or unreadable request (400): its address and why, without a traceback.
        "django.request": {"filters": ["refusals_on_one_line"]},
    },
}

# --- Program -----------------------------------------------------------------------------
# How many days before a membership expires the member is reminded to renew.
RENEWAL_REMINDER_DAYS = _env("int", "RENEWAL_REMINDER_DAYS", default=30)
# A pair with no check-in for this many days gets a reminder and shows as "needs attention".
CHECKIN_QUIET_DAYS = _env("int", "CHECKIN_QUIET_DAYS", default=45)
# How often an email is tried before it is marked failed for the committee to resend.
EMAIL_MAX_ATTEMPTS = _env("int", "EMAIL_MAX_ATTEMPTS", default=5)
# A pending email not handed to a worker for this long is re-queued by the sweep.
OUTBOX_SWEEP_AFTER_SECONDS = _env("int", "OUTBOX_SWEEP_AFTER_SECONDS", default=120)
