"""What every readable piece shares: its kind, topics and expected reading time."""

import math
from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page, get_page_models
from wagtail.search import index

from content.blocks import Measure


class ContentKind(models.TextChoices):
    GUIDE = "guide", "Buyer's guide"
    COST = "cost", "Cost and pricing"
    PROBLEM = "problem", "Problems and limitations"
    COMPARISON = "comparison", "Comparison"
    REVIEW = "review", "Review"
    BEST_OF = "best_of", "Best of"
    VIDEO = "video", "Video"
    CALCULATOR = "calculator", "Calculator"
    ASSESSMENT = "assessment", "Assessment"


class Topic(index.Indexed, models.Model):
    """A subject that groups pieces across kinds, e.g. “Installation”."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text="Used in filter links, e.g. /search/?topic=installation.",
    )
    description = models.CharField(max_length=250, blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def expected_reading_seconds(measure: Measure) -> int:
    """Seconds an attentive reader needs for a piece.

    Words at ``CONTENT_WORDS_PER_MINUTE`` (238 by default, the silent-reading
    rate for non-fiction in Brysbaert's 2019 meta-analysis), plus
    ``CONTENT_SECONDS_PER_IMAGE`` per image (12 by default), plus the full
    duration of every video. Rounded up to a whole second.
    """
    words_per_minute = settings.CONTENT_WORDS_PER_MINUTE
    reading = measure.words * 60 / words_per_minute
    looking = measure.images * settings.CONTENT_SECONDS_PER_IMAGE
    return math.ceil(reading + looking + measure.video_seconds)


class ContentPage(Page):
    """A piece a prospect can be assigned: guide, article, video and the like.

    ``word_count``, ``image_count``, ``video_seconds`` and
    ``expected_reading_seconds`` are derived from the body whenever the page is
    cleaned or saved; editors never type them.
    """

    summary = models.TextField(
        max_length=300,
        help_text=(
            "One or two sentences on what the reader will learn. Shown on cards "
            "and used as the search engine description when that is empty."
        ),
    )
    topics = ParentalManyToManyField("content.Topic", blank=True, related_name="+")
    social_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when the page is shared; 1200×630 px works best.",
    )
    word_count = models.PositiveIntegerField(default=0, editable=False)
    image_count = models.PositiveIntegerField(default=0, editable=False)
    video_seconds = models.PositiveIntegerField(default=0, editable=False)
    expected_reading_seconds = models.PositiveIntegerField(default=0, editable=False)

    fixed_kind: ClassVar[str | None] = None

    parent_page_types = ["content.ContentIndexPage"]
    subpage_types: ClassVar[list[str]] = []

    search_fields = [*Page.search_fields, index.SearchField("summary")]
    promote_panels = [*Page.promote_panels, FieldPanel("social_image")]

    class Meta:
        abstract = True

    @property
    def content_kind(self) -> str:
        return self.fixed_kind

    @cached_property
    def topic_list(self) -> list:
        """The page's topics, fetched once per request however often shown."""
        return list(self.topics.all())

    @property
    def content_kind_label(self) -> str:
        return ContentKind(self.content_kind).label

    @property
    def expected_reading_minutes(self) -> int:
        return max(1, round(self.expected_reading_seconds / 60))

    @property
    def meta_description(self) -> str:
        return self.search_description or self.summary

    @classmethod
    def kind_filter(cls, kind: str) -> Q | None:
        """A filter on ``Page`` matching this model's pages of ``kind``, if any."""
        if kind != cls.fixed_kind:
            return None
        return Q(content_type=ContentType.objects.get_for_model(cls))

    @classmethod
    def topic_filter(cls, topic_ids) -> Q:
        """A filter on ``Page`` matching this model's pages in any of the topics."""
        return Q(pk__in=cls.objects.filter(topics__in=topic_ids).values("pk"))

    def measure(self) -> Measure:
        """The reading matter of the piece; subclasses measure their body."""
        return Measure()

    def update_reading_stats(self) -> None:
        measured = self.measure()
        self.word_count = measured.words
        self.image_count = measured.images
        self.video_seconds = measured.video_seconds
        self.expected_reading_seconds = expected_reading_seconds(measured)

    def full_clean(self, *args, **kwargs):
        self.update_reading_stats()
        super().full_clean(*args, **kwargs)

    def save(self, *args, **kwargs):
        self.update_reading_stats()
        return super().save(*args, **kwargs)


def content_page_models() -> list[type[ContentPage]]:
    """Every concrete page type that is a readable piece."""
    return [
        model
        for model in get_page_models()
        if issubclass(model, ContentPage) and not model._meta.abstract
    ]


def kind_filter(kind: str) -> Q:
    """A filter on ``Page`` for pieces of one ``ContentKind``."""
    found = Q(pk__in=[])
    for model in content_page_models():
        condition = model.kind_filter(kind)
        if condition is not None:
            found |= condition
    return found


def topic_filter(topic_ids) -> Q:
    """A filter on ``Page`` for pieces tagged with any of the topics."""
    found = Q(pk__in=[])
    for model in content_page_models():
        found |= model.topic_filter(topic_ids)
    return found


def content_pages():
    """Live, public pieces of every kind as a ``Page`` queryset, newest first."""
    models_ = content_page_models()
    return (
        Page.objects.live()
        .public()
        .type(*models_)
        .order_by("-first_published_at", "-pk")
    )
