"""Operational endpoints, no business logic."""

from __future__ import annotations

import logging

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

log = logging.getLogger(__name__)


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Anyone (load balancers, monitors): 200 when the database and cache answer, else 503."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as e:  # report any failure as unhealthy rather than a 500
        log.warning("health: database check failed: %s", e)
        checks["database"] = "error"
    if settings.REDIS_URL:
        try:
            # Redis itself: the cache answers from memory while Redis is away.
            cache.check_redis()
            checks["redis"] = "ok"
        except Exception as e:
            log.warning("health: redis check failed: %s", e)
            checks["redis"] = "error"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def admin_login(request: HttpRequest) -> HttpResponse:
    """Anyone: the Django admin's login page, behind the site login's limit of tries per IP
    (429 beyond it). Its form (`members.accounts.AdminLoginForm`) adds the failed-login limits."""
    if too_many := ratelimit.consume_or_429(request, action="login"):
        return too_many
    return admin.site.login(request)
