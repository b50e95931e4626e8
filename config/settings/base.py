"""Settings shared by every environment; each value comes from :mod:`config.options`."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from config.options import value

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DATA_DIR = Path(value("BRIEFROOM_DATA_DIR"))
if not DATA_DIR.is_absolute():
    DATA_DIR = BASE_DIR / DATA_DIR
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    configured: str = value("BRIEFROOM_SECRET_KEY")
    if configured:
        return configured
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = value("BRIEFROOM_DEBUG")
ALLOWED_HOSTS = value("BRIEFROOM_ALLOWED_HOSTS")
BRIEFROOM_TRUSTED_PROXIES = value("BRIEFROOM_TRUSTED_PROXIES")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "config.apps.BriefroomConfig",
    "sources",
    "reports",
    "briefs",
    "board",
    "search",
    "ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url: str = value("DATABASE_URL")
    busy_timeout: float = value("BRIEFROOM_SQLITE_BUSY_TIMEOUT")
    if url:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    else:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "briefroom.sqlite3",
        }
    if config["ENGINE"] == "django.db.backends.postgresql":
        lock_timeout: float = value("BRIEFROOM_PG_LOCK_TIMEOUT")
        options = dict(config.get("OPTIONS") or {})  # type: ignore[call-overload]
        options["options"] = (
            f"{options.get('options', '')} -c lock_timeout={int(lock_timeout * 1000)}"
        ).strip()
        config["OPTIONS"] = options
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            # WAL lets readers work while a writer commits; IMMEDIATE takes the write lock at
            # BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": busy_timeout,
        }
    return config


DATABASES = {"default": _database()}

# Sign-up and password changes refuse passwords like the username, shorter than 8 characters,
# on Django's list of 20,000 common passwords, or only digits (messages in Korean).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어")]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

# Content-Security-Policy (Django's own middleware): no inline script or style anywhere; images
# may come from any https host because the originals' maps live on the publishers' servers.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "https:", "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Rendered board pages live in each process's memory under a version token the database
# holds, so every process drops them within a second of a publish (board.services.page_version).
# 2,000 pages of up to ~100 kB each bound the memory of one process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "briefroom",
        "OPTIONS": {"MAX_ENTRIES": 2000, "CULL_FREQUENCY": 4},
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"httpx": {"level": "WARNING"}},
}

# briefroom's own settings, read by pipeline adapters in the Django apps.
BRIEFROOM_CONTACT_URL = value("BRIEFROOM_CONTACT_URL")
BRIEFROOM_FETCH = {
    "connect_timeout": value("BRIEFROOM_FETCH_CONNECT_TIMEOUT"),
    "read_timeout": value("BRIEFROOM_FETCH_READ_TIMEOUT"),
    "max_bytes": value("BRIEFROOM_FETCH_MAX_BYTES"),
    "host_delay": value("BRIEFROOM_FETCH_HOST_DELAY"),
    "retries": value("BRIEFROOM_FETCH_RETRIES"),
    "backoff": value("BRIEFROOM_FETCH_BACKOFF"),
    "max_retry_after": value("BRIEFROOM_FETCH_MAX_RETRY_AFTER"),
    "blocked_delay": value("BRIEFROOM_FETCH_BLOCKED_DELAY"),
    "respect_robots": value("BRIEFROOM_FETCH_RESPECT_ROBOTS"),
    "allow_networks": value("BRIEFROOM_FETCH_ALLOW_NETWORKS"),
    "contact_url": BRIEFROOM_CONTACT_URL,
}
BRIEFROOM_LLM = {
    "backend": value("BRIEFROOM_LLM_BACKEND"),
    "timeout": value("BRIEFROOM_LLM_TIMEOUT"),
    "retries": value("BRIEFROOM_LLM_RETRIES"),
    "token_budget": value("BRIEFROOM_BRIEF_TOKEN_BUDGET"),
    "openai_base_url": value("BRIEFROOM_OPENAI_BASE_URL"),
    "openai_api_key": value("BRIEFROOM_OPENAI_API_KEY"),
    "openai_model": value("BRIEFROOM_OPENAI_MODEL"),
    "llamacpp_model": value("BRIEFROOM_LLAMACPP_MODEL"),
    "llamacpp_hf_repo": value("BRIEFROOM_LLAMACPP_HF_REPO"),
    "llamacpp_hf_file": value("BRIEFROOM_LLAMACPP_HF_FILE"),
    "hf_endpoint": value("BRIEFROOM_HF_ENDPOINT"),
    "llamacpp_threads": value("BRIEFROOM_LLAMACPP_THREADS"),
    "llamacpp_context": value("BRIEFROOM_LLAMACPP_CONTEXT"),
    "cache_dir": DATA_DIR / "models",
}
BRIEFROOM_TASKS = {
    "retries": value("BRIEFROOM_TASK_RETRIES"),
    "backoff": value("BRIEFROOM_TASK_BACKOFF"),
    "stale_after": value("BRIEFROOM_TASK_STALE_AFTER"),
}
BRIEFROOM_DEMO_ORIGIN = value("BRIEFROOM_DEMO_ORIGIN")
