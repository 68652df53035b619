import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tracking import clients, ratelimit, services
from tracking.models import hash_visitor_token
from tracking.schema import InvalidBatch, parse_batch

logger = logging.getLogger(__name__)

ACCEPTED_TYPES = {"text/plain", "application/json"}

# The ingest clock; tests that make a browser's time pass move it too.
clock = timezone.now

OUTCOME_RESPONSES = {
    services.Outcome.ACCEPTED: (202, {"ok": True}),
    services.Outcome.DECLINED: (202, {"stop": True}),
    services.Outcome.UNKNOWN_PAGE: (422, {"error": "unknown_page"}),
    services.Outcome.PAGE_MISMATCH: (409, {"error": "page_mismatch"}),
    services.Outcome.GONE: (410, {"error": "page_view_closed", "stop": True}),
    services.Outcome.IMPOSSIBLE: (422, {"error": "impossible_values"}),
}


def refuse(status: int, error: str, **extra) -> JsonResponse:
    return JsonResponse({"error": error, **extra}, status=status)


# How long a tracker should wait before retrying a batch the database missed.
DATABASE_RETRY_SECONDS = 30


def rate_limited() -> JsonResponse:
    response = refuse(429, "rate_limited")
    response["Retry-After"] = str(ratelimit.WINDOW_SECONDS)
    return response


@csrf_exempt
@require_POST
def ingest(request: HttpRequest) -> JsonResponse:
    """Accept one batch of tracker events (see README, "Reading measurement")."""
    if not clients.is_same_origin(request):
        return refuse(403, "cross_origin", stop=True)
    if request.content_type not in ACCEPTED_TYPES:
        return refuse(415, "unsupported_media_type")
    limit = settings.TRACKING_MAX_BODY_BYTES
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return refuse(400, "bad_content_length")
    if declared > limit:
        return refuse(413, "body_too_large")
    body = request.read(limit + 1)
    if len(body) > limit:
        return refuse(413, "body_too_large")

    if clients.is_robot(request):
        return JsonResponse({"stop": True}, status=202)
    token = services.visitor_token(request)
    measure_anonymously = not clients.asks_not_to_be_tracked(request)
    if token is None and not measure_anonymously:
        return JsonResponse({"stop": True}, status=202)

    now = clock()
    client_counter = (
        "client",
        clients.client_fingerprint(request),
        settings.TRACKING_RATE_PER_CLIENT,
    )
    try:
        batch = parse_batch(body)
    except InvalidBatch as exc:
        if not ratelimit.within_limits([client_counter], now=now):
            return rate_limited()
        if exc.malformed:
            return refuse(400, "malformed_json")
        return refuse(422, "invalid_batch", fields=exc.fields)
    # Every limit of this batch is counted in one round trip to the cache.
    counters = [
        client_counter,
        ("page_view", batch.v, settings.TRACKING_RATE_PER_PAGE_VIEW),
    ]
    if token is not None:
        counters.append(
            ("visitor", hash_visitor_token(token), settings.TRACKING_RATE_PER_VISITOR)
        )
    if not ratelimit.within_limits(counters, now=now):
        return rate_limited()

    try:
        outcome = services.record_batch(
            batch=batch,
            visitor_token=token,
            measure_anonymously=measure_anonymously,
            browser=clients.browser_family(request),
            now=now,
        )
    except (OperationalError, InterfaceError):
        # The tracker keeps a batch answered with a 5xx and sends it again with
        # the same number, so nothing is lost and nothing stored twice.
        logger.warning("Batch for page view %s refused: database unavailable", batch.v)
        response = refuse(503, "database_unavailable")
        response["Retry-After"] = str(DATABASE_RETRY_SECONDS)
        return response
    status, payload = OUTCOME_RESPONSES[outcome]
    return JsonResponse(payload, status=status)
