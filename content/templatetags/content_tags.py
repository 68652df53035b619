import json
import re
from urllib.parse import urljoin

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The characters that could close a <script> element or start a comment in it.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data) -> str:
    """A ``<script type="application/ld+json">`` element holding ``data``."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_SCRIPT_ESCAPES)),  # noqa: S308 (escaped above)
    )


@register.inclusion_tag("includes/content_body.html", takes_context=True)
def piece_body(context) -> dict:
    """The body of the guide or article in ``page``, its contents and related pieces.

    The work happens here rather than in the page's context, so a cached
    fragment around this tag saves all of it.
    """
    from content.listing import body_context

    return body_context(context["page"], context["request"])


@register.filter
def absolute_url(url, base) -> str:
    """``url`` made absolute against ``base``, e.g. a media URL against a page URL.

    Cached markup must not take its host from the request: the site's own URL
    is the same for every reader.
    """
    return urljoin(base, url) if url else ""


@register.filter
def highlight(text, query) -> str:
    """Escape ``text`` and wrap each word of ``query`` found in it in ``<mark>``."""
    text = escape(text or "")
    words = [re.escape(escape(word)) for word in (query or "").split() if len(word) > 1]
    if not words:
        return mark_safe(text)  # noqa: S308 (escaped above)
    pattern = re.compile(r"(" + "|".join(words) + r")", re.IGNORECASE)
    return mark_safe(pattern.sub(r"<mark>\1</mark>", text))  # noqa: S308


@register.filter
def media_url(document) -> str:
    """The range-aware URL of a video or captions document."""
    if document is None:
        return ""
    return reverse("content:media_document", args=[document.pk, document.filename])


@register.filter
def clock(seconds) -> str:
    """Seconds as ``m:ss`` (or ``h:mm:ss``), as video players show them."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


@register.filter
def iso_duration(seconds) -> str:
    """Seconds as an ISO 8601 duration, e.g. ``PT4M5S``."""
    minutes, seconds = divmod(int(seconds or 0), 60)
    return f"PT{minutes}M{seconds}S"
