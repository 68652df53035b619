from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal.health import check_broker, check_database


@never_cache
@require_safe
def healthz(request):
    """Report database and broker status: 200 when all are up, 503 otherwise."""
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = all(check.ok for check in checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            **{name: check.as_dict() for name, check in checks.items()},
        },
        status=200 if healthy else 503,
    )
