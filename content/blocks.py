"""StreamField blocks for long reading: sections made of prose, media and aids.

A page body is a list of sections. Each section has a heading, a human anchor
for links and the table of contents, and its own stream of content blocks.
The section's StreamField id (a UUID that survives edits) is what the reading
tracker keys section dwell time on; the anchor is only for URLs.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.html import strip_tags
from django.utils.text import slugify
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import RichText

VIDEO_EXTENSIONS = ("webm", "mp4")
CAPTION_EXTENSIONS = ("vtt",)

PROSE_FEATURES = ["h3", "h4", "bold", "italic", "link", "ol", "ul", "document-link"]
SHORT_FEATURES = ["bold", "italic", "link"]


def _extension_error(document, extensions, what):
    if document is None:
        return None
    extension = document.file_extension.lower()
    if extension in extensions:
        return None
    allowed = ", ".join(f".{ext}" for ext in extensions)
    return ValidationError(
        f"“{document.title}” is a .{extension} file; {what} must be {allowed}."
    )


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        max_length=250,
        help_text=(
            "Describe what the image shows for readers who cannot see it, "
            "e.g. “Crane lowering a 10 m pool shell into a dug hole”."
        ),
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("tip", "Tip"), ("note", "Note"), ("warning", "Warning")],
        default="note",
    )
    title = blocks.CharBlock(max_length=120)
    text = blocks.RichTextBlock(features=SHORT_FEATURES + ["ul", "ol"])

    class Meta:
        icon = "help"
        template = "blocks/callout_block.html"


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=200)
    answer = blocks.RichTextBlock(features=SHORT_FEATURES + ["ul", "ol"])


class FAQBlock(blocks.StructBlock):
    """Questions and answers; they are also published as FAQPage structured data."""

    items = blocks.ListBlock(FAQItemBlock(), min_num=1)

    class Meta:
        icon = "list-ul"
        label = "FAQ"
        template = "blocks/faq_block.html"


class ComparisonRowBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=120, help_text="What is being compared.")
    cells = blocks.ListBlock(blocks.CharBlock(max_length=200), min_num=1)


class ComparisonTableBlock(blocks.StructBlock):
    caption = blocks.CharBlock(
        max_length=200, help_text="Says what the table compares; read out first."
    )
    columns = blocks.ListBlock(
        blocks.CharBlock(max_length=80),
        min_num=2,
        help_text="One heading per option compared (not the row labels).",
    )
    rows = blocks.ListBlock(ComparisonRowBlock(), min_num=1)

    class Meta:
        icon = "table"
        template = "blocks/comparison_table_block.html"

    def clean(self, value):
        value = super().clean(value)
        width = len(value["columns"])
        row_errors = {
            index: blocks.StructBlockValidationError(
                block_errors={
                    "cells": ValidationError(
                        f"This row has {len(row['cells'])} cells but the table has "
                        f"{width} columns; give one cell per column."
                    )
                }
            )
            for index, row in enumerate(value["rows"])
            if len(row["cells"]) != width
        }
        if row_errors:
            raise blocks.StructBlockValidationError(
                block_errors={
                    "rows": blocks.ListBlockValidationError(block_errors=row_errors)
                }
            )
        return value


class ProsConsBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120, required=False)
    pros = blocks.ListBlock(blocks.CharBlock(max_length=250), min_num=1)
    cons = blocks.ListBlock(blocks.CharBlock(max_length=250), min_num=1)

    class Meta:
        icon = "tasks"
        label = "Pros and cons"
        template = "blocks/pros_cons_block.html"


class VideoBlock(blocks.StructBlock):
    """A self-hosted video with captions, served with HTTP range support."""

    title = blocks.CharBlock(max_length=160)
    video = DocumentChooserBlock(help_text="A .webm (preferred) or .mp4 document.")
    captions = DocumentChooserBlock(
        help_text="A WebVTT (.vtt) captions document in the video's language."
    )
    poster = ImageChooserBlock(required=False)
    duration_seconds = blocks.IntegerBlock(
        min_value=1, help_text="Length of the video in whole seconds."
    )

    class Meta:
        icon = "media"
        template = "blocks/video_block.html"

    def clean(self, value):
        value = super().clean(value)
        errors = {
            name: error
            for name, error in (
                (
                    "video",
                    _extension_error(value["video"], VIDEO_EXTENSIONS, "a video"),
                ),
                (
                    "captions",
                    _extension_error(value["captions"], CAPTION_EXTENSIONS, "captions"),
                ),
            )
            if error
        }
        if errors:
            raise blocks.StructBlockValidationError(block_errors=errors)
        return value


class ContentStreamBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(features=PROSE_FEATURES, template="blocks/text.html")
    image = ImageBlock()
    callout = CalloutBlock()
    faq = FAQBlock()
    comparison_table = ComparisonTableBlock()
    pros_cons = ProsConsBlock()
    video = VideoBlock()


class SectionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    anchor = blocks.CharBlock(
        required=False,
        max_length=60,
        help_text=(
            "The #link to this section, e.g. “installation-day”. Left blank, it "
            "is made from the heading. Keep it once published: links use it."
        ),
    )
    body = ContentStreamBlock()

    class Meta:
        icon = "doc-full"

    def clean(self, value):
        value = super().clean(value)
        if not value["anchor"]:
            value["anchor"] = slugify(value["heading"])
        try:
            validate_slug(value["anchor"])
        except ValidationError:
            raise blocks.StructBlockValidationError(
                block_errors={
                    "anchor": ValidationError(
                        "Use only lowercase letters, numbers and hyphens, "
                        "e.g. “installation-day”."
                    )
                }
            ) from None
        return value


class SectionsBlock(blocks.StreamBlock):
    section = SectionBlock()

    class Meta:
        min_num = 1

    def clean(self, value):
        value = super().clean(value)
        seen = {}
        errors = {}
        for index, child in enumerate(value):
            anchor = child.value["anchor"]
            if anchor in seen:
                errors[index] = blocks.StructBlockValidationError(
                    block_errors={
                        "anchor": ValidationError(
                            f"Section {seen[anchor] + 1} already uses “{anchor}”; "
                            "give this section its own anchor."
                        )
                    }
                )
            seen.setdefault(anchor, index)
        if errors:
            raise blocks.StreamBlockValidationError(block_errors=errors)
        return value


@dataclass(frozen=True)
class Section:
    """One rendered section: the tracker's id, the URL anchor and its content."""

    id: str
    anchor: str
    heading: str
    body: blocks.StreamValue


def sections_of(stream) -> list[Section]:
    """The sections of a body with unique anchors.

    Anchors are filled in ``SectionBlock.clean``, which does not run for pages
    built in code, so a missing anchor falls back to the heading's slug, and
    repeated anchors get a numeric suffix.
    """
    result = []
    used = set()
    for position, child in enumerate(stream, start=1):
        anchor = child.value.get("anchor") or slugify(child.value["heading"])
        anchor = anchor or f"section-{position}"
        base, suffix = anchor, 2
        while anchor in used:
            anchor, suffix = f"{base}-{suffix}", suffix + 1
        used.add(anchor)
        result.append(
            Section(
                id=child.id or anchor,
                anchor=anchor,
                heading=child.value["heading"],
                body=child.value["body"],
            )
        )
    return result


@dataclass
class Measure:
    """What a reader meets in a body: words to read, images, seconds of video."""

    words: int = 0
    images: int = 0
    video_seconds: int = 0

    def add_text(self, text: str) -> None:
        self.words += len(strip_tags(text).split())


def measure(value, block=None, into: Measure | None = None) -> Measure:
    """Count the words, images and video seconds in a block value, recursively.

    Image alt text and the video's own fields are not reading matter; a video
    counts for its duration instead.
    """
    into = into if into is not None else Measure()
    if isinstance(block, ImageBlock):
        into.images += 1
        into.add_text(value.get("caption") or "")
    elif isinstance(block, VideoBlock):
        into.video_seconds += value.get("duration_seconds") or 0
        into.add_text(value.get("title") or "")
    elif isinstance(value, blocks.StreamValue):
        for child in value:
            measure(child.value, child.block, into)
    elif isinstance(value, blocks.StructValue):
        for name, child_block in value.block.child_blocks.items():
            measure(value.get(name), child_block, into)
    elif isinstance(value, blocks.list_block.ListValue):
        for child in value:
            measure(child, value.list_block.child_block, into)
    elif isinstance(value, RichText):
        into.add_text(value.source)
    elif isinstance(value, str) and not isinstance(block, blocks.ChoiceBlock):
        is_anchor = isinstance(block, blocks.CharBlock) and block.name == "anchor"
        if not is_anchor:
            into.add_text(value)
    return into


def faq_items(stream) -> list[tuple[str, RichText]]:
    """Every question and answer in a body, in reading order."""
    found = []
    for child in stream:
        for block in child.value["body"]:
            if block.block_type == "faq":
                found.extend(
                    (item["question"], item["answer"]) for item in block.value["items"]
                )
    return found
