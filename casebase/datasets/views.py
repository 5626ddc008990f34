"""The data page and the dated snapshot of everything published, as a download."""

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from casebase.analysis import citations
from casebase.datasets import snapshot


@require_GET
def data(request):
    date = citations.today()
    return render(
        request, "datasets/data.html", {"snapshot_citation": citations.for_snapshot(date), "date": date}
    )


@require_GET
def snapshot_download(request):
    date = citations.today()
    # Streamed, a chunk of cases at a time: memory stays flat however many cases there are.
    response = StreamingHttpResponse(snapshot.stream(date), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="casebase-snapshot-{date.isoformat()}.json"'
    return response
