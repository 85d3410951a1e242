"""/healthz: database, Redis and worker heartbeat, as JSON; degraded rather than hanging."""

import time
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from learnprofile.access import public_view


def _redis_client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT_SECONDS,
        socket_timeout=settings.REDIS_SOCKET_TIMEOUT_SECONDS,
    )


def worker_heartbeat_write(timestamp: float) -> None:
    """Called by each worker every few seconds (learnprofile/celery.py)."""
    _redis_client().set(
        settings.WORKER_HEARTBEAT_KEY,
        str(timestamp),
        ex=settings.WORKER_HEARTBEAT_STALE_SECONDS * 4,
    )


def _check_database() -> dict[str, Any]:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "milliseconds": round((time.monotonic() - started) * 1000, 1)}


def _check_redis_and_worker() -> tuple[dict[str, Any], dict[str, Any]]:
    started = time.monotonic()
    try:
        client = _redis_client()
        client.ping()
        raw_heartbeat = client.get(settings.WORKER_HEARTBEAT_KEY)
    except Exception as error:
        failure = {"ok": False, "error": type(error).__name__}
        return failure, {"ok": False, "error": "redis_unavailable"}
    redis_report = {"ok": True, "milliseconds": round((time.monotonic() - started) * 1000, 1)}
    if raw_heartbeat is None:
        return redis_report, {"ok": False, "error": "no_heartbeat"}
    age = time.time() - float(raw_heartbeat)
    is_fresh = age <= settings.WORKER_HEARTBEAT_STALE_SECONDS
    worker_report: dict[str, Any] = {"ok": is_fresh, "last_heartbeat_seconds_ago": round(age, 1)}
    return redis_report, worker_report


@public_view
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = _check_database()
    redis_report, worker = _check_redis_and_worker()
    checks = {"database": database, "redis": redis_report, "worker": worker}
    if all(check["ok"] for check in checks.values()):
        status = "ok"
    elif database["ok"]:
        status = "degraded"
    else:
        status = "down"
    return JsonResponse({"status": status, "checks": checks}, status=200 if database["ok"] else 503)
