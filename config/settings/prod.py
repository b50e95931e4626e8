"""Production settings: refuse to start with unsafe defaults."""

from django.core.exceptions import ImproperlyConfigured

from config.options import value
from config.settings.base import *  # noqa: F403

if not value("BRIEFROOM_SECRET_KEY") or len(value("BRIEFROOM_SECRET_KEY")) < 40:
    raise ImproperlyConfigured(
        "BRIEFROOM_SECRET_KEY must be set to a random string of at least 40 characters in prod."
    )
if value("BRIEFROOM_DEBUG"):
    raise ImproperlyConfigured("BRIEFROOM_DEBUG must be off in prod.")

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
