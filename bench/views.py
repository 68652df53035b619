from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def noop(request):
    """The reference: every middleware runs, the view does nothing.

    Exempt from CSRF like the beacon endpoint, so a POST reference pays the
    same middleware cost as a beacon. Routed only when ``BENCHMARK_NOOP``.
    """
    return HttpResponse(status=204)
