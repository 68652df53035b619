"""Reads behind the learning centre's lists, filters and cached page bodies.

Every function here runs a fixed number of queries, whatever the number of
pages: one per page type for ``specific()``, never one per card.
"""

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import prefetch_related_objects
from wagtail.models import Page

from content.models.base import (
    ContentKind,
    Topic,
    content_page_models,
    content_pages,
    kind_filter,
    topic_filter,
)
from portal import versions

PAGE_SIZE = 12
SEARCH_LIMIT = 200
CONTENT_VERSION = "content"  # a stamp in portal.versions


class PieceFilterForm(forms.Form):
    """Filters for a list of pieces; every field is optional."""

    q = forms.CharField(label="Search for", required=False, max_length=200)
    kind = forms.ChoiceField(label="Kind", required=False)
    topic = forms.ModelChoiceField(
        label="Topic",
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All topics",
    )

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = kinds if kinds is not None else list(ContentKind)
        self.fields["kind"].choices = [("", "All kinds")] + [
            (kind.value, kind.label) for kind in kinds
        ]


def filter_pieces(queryset, *, kind: str = "", topic: Topic | None = None):
    if kind:
        queryset = queryset.filter(kind_filter(kind))
    if topic is not None:
        queryset = queryset.filter(topic_filter([topic.pk]))
    return queryset


def paginate(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list.specific())
    return page


def ranked_ids(pieces, query: str) -> list[int]:
    """Ids of ``pieces`` matching the search ``query``, best match first.

    Wagtail's search ranks all live pieces; the kind and topic filters are then
    applied in the database, keeping the search's order.
    """
    ranked = [
        page.pk for page in content_pages().order_by().search(query)[:SEARCH_LIMIT]
    ]
    position = {pk: index for index, pk in enumerate(ranked)}
    matching = list(pieces.filter(pk__in=ranked).values_list("pk", flat=True))
    return sorted(matching, key=position.__getitem__)


def paginate_ids(request, ids: list[int]):
    """Paginate page ids in order, loading only the current page's pieces."""
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    found = {
        piece.pk: piece
        for piece in Page.objects.filter(pk__in=page.object_list).specific()
    }
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    return page


def filtered_listing(request, *, within: Page) -> dict:
    """Context for an index page: its descendants, filtered and paginated."""
    form = PieceFilterForm(request.GET or None, kinds=available_kinds())
    kind, topic = "", None
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        topic = form.cleaned_data["topic"]
    queryset = filter_pieces(
        content_pages().descendant_of(within), kind=kind, topic=topic
    )
    return {"form": form, "pieces": paginate(request, queryset)}


def featured_guide(home):
    from content.models.pages import GuidePage

    featured = home.featured_guide
    if featured is not None and featured.live:
        return featured
    return GuidePage.objects.live().public().order_by("-first_published_at").first()


def latest_pieces(*, exclude=None, limit: int = 6) -> list:
    queryset = content_pages()
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return list(queryset[:limit].specific())


def available_kinds() -> list[ContentKind]:
    """The kinds that have at least one live piece, in ``ContentKind`` order.

    One query whatever the number of page types: the distinct page types of
    live pieces, joined to the article's own kind.
    """
    models_by_type = {
        ContentType.objects.get_for_model(model).pk: model
        for model in content_page_models()
    }
    rows = (
        content_pages()
        .order_by()
        .values_list("content_type", "articlepage__kind")
        .distinct()
    )
    present = set()
    for type_id, article_kind in rows:
        model = models_by_type.get(type_id)
        present.add(getattr(model, "fixed_kind", None) or article_kind)
    return [kind for kind in ContentKind if kind in present]


def related_pieces(page, *, limit: int = 3) -> list:
    """Pieces sharing a topic with ``page``, newest first, else its siblings."""
    topic_ids = [topic.pk for topic in page.topic_list]
    queryset = content_pages().exclude(pk=page.pk)
    if topic_ids:
        queryset = queryset.filter(topic_filter(topic_ids))
    else:
        queryset = queryset.sibling_of(page, inclusive=False)
    return list(queryset[:limit].specific())


def prefetch_renditions(sections) -> None:
    """Load the renditions of every image and video poster in one query."""
    images = []
    for section in sections:
        for block in section.body:
            if block.block_type == "image":
                images.append(block.value["image"])
            elif block.block_type == "video":
                images.append(block.value["poster"])
    prefetch_related_objects([image for image in images if image], "renditions")


def content_version() -> str:
    """The stamp that cached renderings of pieces are keyed by, with their page.

    A piece shows its parent area, its topics, other pieces and media, none of
    which changes the piece's own ``cache_key``; this stamp changes after any of
    them does (see ``content.signals``).
    """
    return versions.current(CONTENT_VERSION)


def bump_content_version() -> None:
    """Mark every cached rendering of a piece stale once the transaction commits.

    Bumping before the commit would let a reader cache the old data under the
    new stamp.
    """
    transaction.on_commit(lambda: versions.bump(CONTENT_VERSION))


def body_context(page, request) -> dict:
    """Context for a guide's or article's body: sections, contents, related pieces.

    Built only when the page's cached fragment is missing, and for previews.
    """
    from content.seo import body_page_data

    sections = page.sections
    prefetch_renditions(sections)
    return {
        "page": page,
        "request": request,
        "sections": sections,
        # Guides always get a table of contents; articles once they are long.
        "show_toc": page.content_kind == ContentKind.GUIDE or len(sections) > 3,
        "related": related_pieces(page),
        "structured_data": body_page_data(page, request),
    }
