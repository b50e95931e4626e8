"""``/healthz``: the service status as JSON, for load balancers and monitors (no auth)."""

from __future__ import annotations

from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ops.status import service_status


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        return JsonResponse(service_status(), json_dumps_params={"ensure_ascii": False})
    except DatabaseError:
        return JsonResponse({"ok": False, "error": "database unavailable"}, status=503)
