"""Content models, re-exported so callers import from ``content.models``."""

from content.models.base import (
    ContentKind,
    ContentPage,
    Topic,
    content_page_models,
    content_pages,
    expected_reading_seconds,
    kind_filter,
    topic_filter,
)
from content.models.calculators import AssessmentPage, CalculatorPage  # noqa: F401
from content.models.pages import (
    ARTICLE_KINDS,
    ArticlePage,
    BodyPage,
    ContentIndexPage,
    GuidePage,
    HomePage,
    VideoPage,
)

__all__ = [
    "ARTICLE_KINDS",
    "ArticlePage",
    "BodyPage",
    "ContentIndexPage",
    "ContentKind",
    "ContentPage",
    "GuidePage",
    "HomePage",
    "Topic",
    "VideoPage",
    "content_page_models",
    "content_pages",
    "expected_reading_seconds",
    "kind_filter",
    "topic_filter",
]
