"""Ventanilla settings: every value comes from the environment (see README "Settings").

The default profile is the embedded demo/development one: SQLite under ``var/``.
``config.production`` tightens it for real deployments.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VENTANILLA_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env(
    DEBUG=(bool, False),
    SECRET_KEY=(str, "insecure-development-key-change-me-in-production-0123456789"),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "testserver"]),
    LOG_LEVEL=(str, "INFO"),
    LOG_FORMAT=(str, "console"),
    EMAIL_URL=(str, "consolemail://"),
    DEFAULT_FROM_EMAIL=(str, "Ventanilla <no-reply@ventanilla.localhost>"),
    TASKS_BACKEND=(str, "django_tasks_db.DatabaseBackend"),
    SQLITE_PATH=(str, str(VAR_DIR / "ventanilla.sqlite3")),
    CSRF_TRUSTED_ORIGINS=(list, []),
)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "ventanilla.core",
    "ventanilla.audit",
    "ventanilla.accounts",
    "ventanilla.reference",
    "ventanilla.notifications",
    "ventanilla.declarations",
    "ventanilla.risk",
    "ventanilla.agencies",
    "ventanilla.duties",
    "ventanilla.payments",
    "ventanilla.clearance",
    "ventanilla.demo",
]

MIDDLEWARE = [
    "ventanilla.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ventanilla" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ventanilla.core.context_processors.ventanilla",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------
# SQLite is the embedded default; PostgreSQL when DATABASE_URL is set.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters bound by the server and statements prepared once used 5 times on a
    # connection: PostgreSQL then reuses their plans instead of planning every query
    # again (ADR 0006: 13.6 -> 9.3 ms of the server's CPU per lodgement). Django needs
    # both options, and ``True`` itself, not a string from the URL. Turn it off behind a
    # pooler that cannot keep prepared statements (PgBouncer in transaction mode older
    # than 1.21).
    if env.bool("DATABASE_SERVER_SIDE_BINDING", default=True):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["server_side_binding"] = True
        options["prepare_threshold"] = env.int("DATABASE_PREPARE_THRESHOLD", default=5)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH"),
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue instead of failing mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
    DATABASES["default"]["TEST"] = {"NAME": env.str("SQLITE_TEST_PATH", default="") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["ventanilla.accounts.backends.MembershipRoleBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages ------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en", "es")
LANGUAGE_COOKIE_NAME = "ventanilla_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = env.str("TIME_ZONE", default="America/Lima")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request otherwise
STATICFILES_DIRS = [BASE_DIR / "ventanilla" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- E-mail ---------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")

# --- Background tasks (django-tasks) ----------------------------------------
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND")}}

# --- API ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ventanilla.accounts.authentication.OrganisationTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "ventanilla.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ventanilla.core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ventanilla API",
    "DESCRIPTION": "Single window and trade facilitation services (WTO TFA).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Several apps have a "status", "kind" or "result": name each code list after its app.
    "ENUM_NAME_OVERRIDES": {
        "MandateKindEnum": "ventanilla.accounts.choices.MandateKind",
        "DeclarationStatusEnum": "ventanilla.declarations.choices.Status",
        "ChannelEnum": "ventanilla.declarations.choices.Channel",
        "TargetChannelEnum": "ventanilla.risk.api.serializers.TARGET_CHANNELS",
        "ReviewStatusEnum": "ventanilla.agencies.choices.ReviewStatus",
        "InspectionStatusEnum": "ventanilla.agencies.choices.InspectionStatus",
        "InspectionResultEnum": "ventanilla.agencies.choices.InspectionResult",
        "InformationRequestStatusEnum": "ventanilla.agencies.choices.InformationRequestStatus",
        "SecondTestStatusEnum": "ventanilla.agencies.choices.SecondTestStatus",
        "AssessmentStatusEnum": "ventanilla.duties.choices.AssessmentStatus",
        "ProfileKindEnum": "ventanilla.risk.choices.ProfileKind",
        "ProfileStatusEnum": "ventanilla.risk.choices.ProfileStatus",
        "OutcomeResultEnum": "ventanilla.risk.choices.OutcomeResult",
        "PaymentStatusEnum": "ventanilla.payments.choices.PaymentStatus",
        "GuaranteeStatusEnum": "ventanilla.payments.choices.GuaranteeStatus",
        "MovementKindEnum": "ventanilla.payments.choices.MovementKind",
        "OrganisationKindEnum": "ventanilla.accounts.choices.OrganisationKind",
        "EmailStatusEnum": "ventanilla.notifications.models.EmailStatus",
        "WebhookStatusEnum": "ventanilla.notifications.models.WebhookStatus",
    },
}

# --- Logging: structured, one line per event, with the request id ----------
LOG_LEVEL = env("LOG_LEVEL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "ventanilla.core.logging.json_formatter"},
        "console": {"()": "ventanilla.core.logging.console_formatter"},
    },
    "handlers": {"default": {"class": "logging.StreamHandler", "formatter": env("LOG_FORMAT")}},
    "root": {"handlers": ["default"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
DJANGO_STRUCTLOG_CELERY_ENABLED = False
