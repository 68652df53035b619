import re

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET
from wagtail.documents import get_document_model

from content.listing import (
    PieceFilterForm,
    available_kinds,
    filter_pieces,
    paginate,
    paginate_ids,
    ranked_ids,
)
from content.models import content_pages

MEDIA_TYPES = {"webm": "video/webm", "mp4": "video/mp4", "vtt": "text/vtt"}
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024
MEDIA_MAX_AGE = 3600


@require_GET
def search(request):
    """Search every piece, optionally narrowed by kind and topic.

    Without a query it lists every piece, so the home page's "browse by kind
    or topic" links land here too.
    """
    form = PieceFilterForm(request.GET or None, kinds=available_kinds())
    query, kind, topic = "", "", None
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        kind = form.cleaned_data["kind"]
        topic = form.cleaned_data["topic"]

    pieces = filter_pieces(content_pages(), kind=kind, topic=topic)
    if query:
        results = paginate_ids(request, ranked_ids(pieces, query))
    else:
        results = paginate(request, pieces)

    template = "search/search.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    context = {
        "form": form,
        "query": query,
        "pieces": results,
        "filtered": bool(kind or topic),
    }
    response = TemplateResponse(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /accounts/",
        "Disallow: /sales/",
        "Disallow: /a/",
        "Disallow: /search/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('content:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
def media_document(request, document_id: int, filename: str):
    """Serve a video or captions document, honouring HTTP Range requests.

    Wagtail's own document view ignores ``Range``, which breaks seeking in
    video players. Only public documents of the media types above are served.
    """
    document = get_object_or_404(get_document_model(), pk=document_id)
    content_type = MEDIA_TYPES.get(document.file_extension.lower())
    if content_type is None or filename != document.filename:
        raise Http404("Not a media document")
    for restriction in document.collection.get_view_restrictions():
        if not restriction.accept_request(request):
            raise Http404("Not a public document")

    size = document.file.size
    handle = document.file.open("rb")
    match = RANGE.match(request.headers.get("Range", ""))
    if match is None or match.groups() == ("", ""):
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last or size - 1), size - 1)
        else:
            start, end = max(size - int(last), 0), size - 1
        if start > end or start >= size:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle.seek(start)
        response = StreamingHttpResponse(
            _read_span(handle, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    patch_cache_control(response, public=True, max_age=MEDIA_MAX_AGE)
    return response


def _read_span(handle, length: int):
    with handle:
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
