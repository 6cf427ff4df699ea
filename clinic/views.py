from django.conf import settings
from django.http import Http404, HttpResponse


def baseline(request):
    """The benchmark's yardstick: the cheapest response that still passes
    through all the site's middleware. Hidden unless BENCHMARK_BASELINE=1."""
    if not settings.BENCHMARK_BASELINE:
        raise Http404
    return HttpResponse("baseline", content_type="text/plain")
