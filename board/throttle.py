"""Sign-in throttle: too many failed logins lock a username and a client address for a while.

Limits (sliding window):

* :data:`USERNAME_LIMIT` (5) failed logins for one username within :data:`WINDOW` (15 minutes)
  lock that username, from every address;
* :data:`IP_LIMIT` (20) failed logins from one client address within :data:`WINDOW` lock that
  address, for every username.

While locked, the login forms (``/accounts/login/`` and the admin's) refuse before checking the
password, so even the right password is refused, and answer HTTP 429. A refused attempt is not
counted again: the lock lifts at the latest :data:`WINDOW` after the last counted failure. A
successful login clears its username's failures. Rows older than the window are deleted
whenever a failure is written.

Failures live in the database (:class:`board.models.LoginFailure`), not in the per-process
cache, so every web worker process shares one count. Two simultaneous attempts may both pass
the check before either is written, so a burst can exceed a limit by the number of requests
in flight at once; it cannot go on.

The client address is ``REMOTE_ADDR`` as the web server reports it, unless that is one of
``BRIEFROOM_TRUSTED_PROXIES`` (a reverse proxy in front of the web server): then it is the
right-most ``X-Forwarded-For`` address that is not itself a trusted proxy. ``X-Forwarded-For``
from anyone else is ignored: any client can send it. Without the setting, behind a proxy every
request comes from the proxy's address, so the per-address limit applies to all clients
together (the per-username limit is unaffected).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import unicodedata

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from board.models import LoginFailure

USERNAME_LIMIT = 5
IP_LIMIT = 20
WINDOW = dt.timedelta(minutes=15)
MESSAGE = "로그인 시도가 너무 많습니다. 잠시 뒤에 다시 시도해 주세요."


def normalise_username(username: str) -> str:
    """The key of a username: ``Editor``, `` editor`` and full-width ``ｅｄｉｔｏｒ`` are one."""
    return unicodedata.normalize("NFKC", username).strip().casefold()[:150]


def client_ip(request: HttpRequest | None) -> str | None:
    """``REMOTE_ADDR`` if it is an IP address (see the module docstring for proxies)."""
    if request is None:
        return None
    address = _address(str(request.META.get("REMOTE_ADDR") or ""))
    proxies = {a for a in map(_address, settings.BRIEFROOM_TRUSTED_PROXIES) if a}
    if address is None or address not in proxies:
        return address
    hops = str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
    for hop in reversed(hops):
        client = _address(hop.strip())
        if client is None:
            return address  # a malformed header: count the proxy, not a guess
        if client not in proxies:
            return client
    return address


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def is_locked(request: HttpRequest | None, username: str) -> bool:
    """True while ``username`` or the request's address has reached its limit."""
    since = timezone.now() - WINDOW
    recent = LoginFailure.objects.filter(created_at__gte=since)
    if recent.filter(username=normalise_username(username)).count() >= USERNAME_LIMIT:
        return True
    ip = client_ip(request)
    return ip is not None and recent.filter(ip=ip).count() >= IP_LIMIT


def record_failure(request: HttpRequest | None, username: str) -> None:
    """Count one failed login, and delete the failures that have left the window."""
    now = timezone.now()
    LoginFailure.objects.filter(created_at__lt=now - WINDOW).delete()
    LoginFailure.objects.create(
        username=normalise_username(username), ip=client_ip(request), created_at=now
    )


def clear_failures(username: str) -> None:
    """A successful login: forget the failures of its username (the address keeps the others)."""
    LoginFailure.objects.filter(username=normalise_username(username)).delete()
