"""The page types of the learning centre."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import classproperty
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from content.blocks import (
    CAPTION_EXTENSIONS,
    VIDEO_EXTENSIONS,
    Measure,
    SectionsBlock,
    faq_items,
    measure,
    sections_of,
)
from content.models.base import ContentKind, ContentPage, content_page_models

ARTICLE_KINDS = (
    ContentKind.COST,
    ContentKind.PROBLEM,
    ContentKind.COMPARISON,
    ContentKind.REVIEW,
    ContentKind.BEST_OF,
)


class HomePage(Page):
    """The root of the public site: the learning centre prospects arrive at."""

    intro = RichTextField(
        blank=True,
        features=["bold", "italic", "link"],
        help_text="A sentence or two under the title on what readers find here.",
    )
    featured_guide = models.ForeignKey(
        "content.GuidePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown first. Left empty, the newest guide is featured.",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("featured_guide"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["content.ContentIndexPage"]
    max_count = 1
    page_description = (
        "The learning centre at the root of the site. There is exactly one."
    )

    class Meta:
        verbose_name = "home page"

    def __str__(self) -> str:
        return self.title

    def get_context(self, request, *args, **kwargs):
        from content.listing import available_kinds, featured_guide, latest_pieces
        from content.models.base import Topic

        context = super().get_context(request, *args, **kwargs)
        featured = featured_guide(self)
        context["featured"] = featured
        context["latest"] = latest_pieces(exclude=featured, limit=6)
        context["kinds"] = available_kinds()
        context["topics"] = Topic.objects.all()
        context["areas"] = self.get_children().live().public().type(ContentIndexPage)
        return context


class ContentIndexPage(Page):
    """An area of the library, e.g. “Costs and comparisons”, listing its pieces."""

    intro = RichTextField(
        blank=True,
        features=["bold", "italic", "link"],
        help_text="What readers find in this area, in a sentence or two.",
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["content.HomePage"]
    page_description = (
        "An area of the learning centre that lists its guides, articles and "
        "videos, with filters by kind and topic."
    )

    class Meta:
        verbose_name = "index page"

    @classproperty
    def subpage_types(cls):  # noqa: N805
        return [model._meta.label for model in content_page_models()]

    def get_template(self, request, *args, **kwargs):
        template = super().get_template(request, *args, **kwargs)
        if getattr(request, "htmx", False) and not request.htmx.boosted:
            return f"{template}#results"
        return template

    def get_context(self, request, *args, **kwargs):
        from content.listing import filtered_listing

        context = super().get_context(request, *args, **kwargs)
        context.update(filtered_listing(request, within=self))
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        response.headers["Vary"] = "HX-Request"
        return response


class BodyPage(ContentPage):
    """A piece whose body is a list of sections (guides and articles)."""

    body = StreamField(
        SectionsBlock(),
        help_text=(
            "Sections in reading order. Each section's heading appears in the "
            "table of contents and has its own #link."
        ),
    )

    search_fields = [*ContentPage.search_fields, index.SearchField("body")]

    class Meta:
        abstract = True

    def measure(self) -> Measure:
        return measure(self.body)

    @property
    def sections(self):
        return sections_of(self.body)

    @property
    def faqs(self):
        return faq_items(self.body)

    def get_context(self, request, *args, **kwargs):
        from content.listing import content_version

        context = super().get_context(request, *args, **kwargs)
        # The template caches everything drawn from the page and what it shows
        # with {% wagtailpagecache %}, under the page's cache_key and this version.
        context["content_version"] = content_version()
        context["cache_seconds"] = settings.CONTENT_BODY_CACHE_SECONDS
        return context


class GuidePage(BodyPage):
    fixed_kind = ContentKind.GUIDE

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("topics"),
        FieldPanel("body"),
    ]
    page_description = (
        "A long buyer's guide (5,000 words or more) in sections, with a table of "
        "contents, FAQs, comparison tables and video."
    )

    class Meta:
        verbose_name = "buyer's guide"


class ArticlePage(BodyPage):
    kind = models.CharField(
        max_length=20,
        choices=[(kind.value, kind.label) for kind in ARTICLE_KINDS],
        help_text=(
            "What sort of question the article answers. Reports on reading and "
            "sales outcomes are grouped by this."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("summary"),
        FieldPanel("topics"),
        FieldPanel("body"),
    ]
    page_description = (
        "A focused article of one kind: cost and pricing, problems and "
        "limitations, a comparison, a review or a best-of list."
    )

    class Meta:
        verbose_name = "article"

    @property
    def content_kind(self) -> str:
        return self.kind

    @classmethod
    def kind_filter(cls, kind: str) -> Q | None:
        if kind not in ARTICLE_KINDS:
            return None
        return Q(pk__in=cls.objects.filter(kind=kind).values("pk"))


class VideoPage(ContentPage):
    fixed_kind = ContentKind.VIDEO

    description = RichTextField(
        blank=True,
        features=["bold", "italic", "link", "ul", "ol"],
        help_text="What the video covers, shown above it.",
    )
    video = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The video file: .webm (plays everywhere) or .mp4.",
    )
    captions = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="WebVTT (.vtt) captions; every video needs them.",
    )
    poster = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The still shown before the video plays.",
    )
    duration_seconds = models.PositiveIntegerField(
        help_text="Length of the video in whole seconds."
    )
    transcript = RichTextField(
        features=["h3", "bold", "italic", "link", "ul", "ol"],
        help_text="Everything said and shown, for readers who cannot watch.",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("topics"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("video"), FieldPanel("captions")]),
                FieldRowPanel([FieldPanel("poster"), FieldPanel("duration_seconds")]),
            ],
            heading="Video",
        ),
        FieldPanel("transcript"),
    ]
    search_fields = [
        *ContentPage.search_fields,
        index.SearchField("description"),
        index.SearchField("transcript"),
    ]
    page_description = (
        "A self-hosted video with captions, a poster and a full transcript."
    )

    class Meta:
        verbose_name = "video"

    def measure(self) -> Measure:
        measured = Measure(video_seconds=self.duration_seconds or 0)
        measured.add_text(self.description or "")
        return measured

    def get_context(self, request, *args, **kwargs):
        from content.listing import related_pieces
        from content.seo import video_data
        from content.templatetags.content_tags import media_url

        context = super().get_context(request, *args, **kwargs)
        context["video_url"] = media_url(self.video)
        context["captions_url"] = media_url(self.captions)
        context["related"] = related_pieces(self)
        context["structured_data"] = [
            video_data(self, request, content_url=context["video_url"])
        ]
        return context

    def clean(self):
        super().clean()
        errors = {}
        checks = (
            ("video", VIDEO_EXTENSIONS, "The video"),
            ("captions", CAPTION_EXTENSIONS, "Captions"),
        )
        for field, extensions, what in checks:
            document = getattr(self, field)
            if document is None:
                errors[field] = f"{what} file is required."
            elif document.file_extension.lower() not in extensions:
                allowed = ", ".join(f".{ext}" for ext in extensions)
                errors[field] = (
                    f"“{document.title}” is a .{document.file_extension} file; "
                    f"{what.lower()} must be {allowed}."
                )
        if errors:
            raise ValidationError(errors)
