"""The benchmark's yardstick: a view that does nothing, behind the full middleware stack.

`make bench` prints every page's throughput as a ratio to this one's. It reads
no data and answers a few bytes, so it is harmless to leave on in production.
"""

from django.http import HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def baseline(request):
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
