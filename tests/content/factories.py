"""Factories for content pages, with bodies in StreamField's stored form."""

from pathlib import Path

import factory
import wagtail_factories
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from content.models import (
    ArticlePage,
    ContentIndexPage,
    ContentKind,
    GuidePage,
    Topic,
    VideoPage,
)

DEMO_MEDIA = Path(__file__).resolve().parents[2] / "portal" / "demo" / "media"
VIDEO_BYTES = (DEMO_MEDIA / "installation-day.webm").read_bytes()
CAPTIONS_BYTES = (DEMO_MEDIA / "installation-day.vtt").read_bytes()


def words(count: int, word: str = "water") -> str:
    return " ".join([word] * count)


def text(html: str) -> dict:
    return {"type": "text", "value": html}


def section(heading: str, *blocks: dict, anchor: str = "") -> dict:
    return {
        "type": "section",
        "value": {"heading": heading, "anchor": anchor, "body": list(blocks)},
    }


def image_block(image, alt: str = "A pool shell", caption: str = "") -> dict:
    return {
        "type": "image",
        "value": {"image": image.pk, "alt_text": alt, "caption": caption},
    }


def video_block(
    video, captions, seconds: int, title: str = "Tour", poster=None
) -> dict:
    return {
        "type": "video",
        "value": {
            "title": title,
            "video": video.pk,
            "captions": captions.pk,
            "poster": poster.pk if poster else None,
            "duration_seconds": seconds,
        },
    }


def faq_block(*pairs: tuple[str, str]) -> dict:
    return {
        "type": "faq",
        "value": {
            "items": [
                {"question": question, "answer": f"<p>{answer}</p>"}
                for question, answer in pairs
            ]
        },
    }


class TopicFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda topic: slugify(topic.name))

    class Meta:
        model = Topic
        django_get_or_create = ("slug",)


class ImageFactory(wagtail_factories.ImageFactory):
    title = factory.Sequence(lambda n: f"Photo {n}")


class VideoDocumentFactory(wagtail_factories.DocumentFactory):
    title = "Installation day"
    file = factory.django.FileField(filename="installation-day.webm", data=VIDEO_BYTES)


class CaptionsDocumentFactory(wagtail_factories.DocumentFactory):
    title = "Installation day captions"
    file = factory.django.FileField(
        filename="installation-day.vtt", data=CAPTIONS_BYTES
    )


class ContentIndexPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Area {n}")
    intro = "<p>Pieces about one area of buying a pool.</p>"

    class Meta:
        model = ContentIndexPage


class ContentPageFactory(wagtail_factories.PageFactory):
    summary = "What a reader learns here, in a sentence."

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)
            self.save()


class GuidePageFactory(ContentPageFactory):
    title = factory.Sequence(lambda n: f"Buyer's guide {n}")
    body = factory.LazyFunction(
        lambda: [
            section("Why fibreglass", text(f"<p>{words(200)}</p>")),
            section("What it costs", text(f"<p>{words(100)}</p>")),
        ]
    )

    class Meta:
        model = GuidePage
        skip_postgeneration_save = True


class ArticlePageFactory(ContentPageFactory):
    title = factory.Sequence(lambda n: f"Article {n}")
    kind = ContentKind.COST
    body = factory.LazyFunction(
        lambda: [section("The short answer", text(f"<p>{words(120)}</p>"))]
    )

    class Meta:
        model = ArticlePage
        skip_postgeneration_save = True


class VideoPageFactory(ContentPageFactory):
    title = factory.Sequence(lambda n: f"Video {n}")
    video = factory.SubFactory(VideoDocumentFactory)
    captions = factory.SubFactory(CaptionsDocumentFactory)
    duration_seconds = 12
    description = "<p>A short tour of installation day.</p>"
    transcript = "<p>Installation day starts with a level base.</p>"

    class Meta:
        model = VideoPage
        skip_postgeneration_save = True
