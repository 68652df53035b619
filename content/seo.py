"""Structured data (schema.org JSON-LD) for pieces, as search engines read it."""

from urllib.parse import urljoin

from django.conf import settings
from django.utils.html import strip_tags

from content.templatetags.content_tags import iso_duration

SCHEMA = "https://schema.org"


def _organisation() -> dict:
    return {"@type": "Organization", "name": settings.WAGTAIL_SITE_NAME}


def _image_url(image, page_url: str) -> str | None:
    """The share image's URL on the page's own site, not the request's host."""
    if image is None:
        return None
    return urljoin(page_url, image.get_rendition("fill-1200x630").url)


def article_data(page, request) -> dict:
    url = page.get_full_url(request)
    data = {
        "@context": SCHEMA,
        "@type": "Article",
        "headline": page.title[:110],
        "description": page.meta_description,
        "url": url,
        "mainEntityOfPage": url,
        "articleSection": page.content_kind_label,
        "wordCount": page.word_count,
        "timeRequired": iso_duration(page.expected_reading_seconds),
        "datePublished": page.first_published_at,
        "dateModified": page.last_published_at or page.first_published_at,
        "author": _organisation(),
        "publisher": _organisation(),
        "keywords": [topic.name for topic in page.topic_list],
    }
    image = _image_url(page.social_image, url)
    if image:
        data["image"] = image
    return {key: value for key, value in data.items() if value is not None}


def faq_data(faqs) -> dict | None:
    if not faqs:
        return None
    return {
        "@context": SCHEMA,
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": question,
                "acceptedAnswer": {"@type": "Answer", "text": str(answer)},
            }
            for question, answer in faqs
        ],
    }


def video_data(page, request, *, content_url: str) -> dict:
    url = page.get_full_url(request)
    data = {
        "@context": SCHEMA,
        "@type": "VideoObject",
        "name": page.title,
        "description": page.meta_description,
        "url": url,
        "uploadDate": page.first_published_at,
        "duration": iso_duration(page.duration_seconds),
        "contentUrl": request.build_absolute_uri(content_url),
        "transcript": strip_tags(page.transcript),
        "publisher": _organisation(),
    }
    thumbnail = _image_url(page.poster or page.social_image, url)
    if thumbnail:
        data["thumbnailUrl"] = thumbnail
    return {key: value for key, value in data.items() if value is not None}


def body_page_data(page, request) -> list[dict]:
    """Article data for a guide or article, plus FAQ data when it has FAQs."""
    found = [article_data(page, request), faq_data(page.faqs)]
    return [data for data in found if data]
