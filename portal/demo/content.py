"""Demo content for Blue Lagoon Pools: a buyer's guide, articles of every kind and
a video, written in small Markdown files beside this module.

The Markdown is deliberately tiny: ``## Heading {#anchor}`` starts a section,
blank lines separate paragraphs, ``**bold**`` is the only inline markup, and
``:::kind ... :::`` fences hold callouts, FAQs, tables, pros and cons and video.
Loading is idempotent: a page is only republished when its text changed.
"""

import html
import re
from io import BytesIO
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils.text import slugify
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    GroupApprovalTask,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from content.models import (
    ArticlePage,
    ContentIndexPage,
    GuidePage,
    HomePage,
    Topic,
    VideoPage,
)

HERE = Path(__file__).resolve().parent
MEDIA = HERE / "media"
VIDEO_SECONDS = 12
WORKFLOW_NAME = "Editor submits, approver publishes"

TOPICS = {
    "costs": ("Costs and budgets", "Prices, running costs and what quotes include."),
    "installation": ("Installation", "Access, ground conditions and the build."),
    "ownership": ("Owning a pool", "Heating, covers, water care and upkeep."),
    "choosing-a-shape": ("Choosing a pool", "Materials, shapes, sizes and depths."),
    "safety": ("Safety", "Keeping children and pets safe around water."),
}

AREAS = {
    "guides": (
        "Guides and videos",
        "<p>The long reads and videos to start with, before you ask for a quote.</p>",
    ),
    "articles": (
        "Costs, problems and comparisons",
        "<p>Short, focused answers: prices, honest limitations, side-by-side "
        "comparisons, reviews and our picks.</p>",
    ),
}

BLOCK_TYPES = {"proscons": "pros_cons", "table": "comparison_table"}
SECTION = re.compile(r"^## (?P<heading>.+?)(?: \{#(?P<anchor>[\w-]+)\})?$")


def inline(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(text))


def paragraphs(lines: list[str]) -> str:
    chunks, current = [], []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            chunks.append(f"<p>{inline(' '.join(current))}</p>")
            current = []
    return "".join(chunks)


def fenced_block(kind: str, argument: str, lines: list[str], media: dict) -> dict:
    if kind == "callout":
        tone, title = argument.split(" ", 1)
        value = {"tone": tone, "title": title, "text": paragraphs(lines)}
    elif kind == "faq":
        items = []
        for line in lines:
            if line.startswith("Q: "):
                items.append({"question": line[3:], "answer": ""})
            elif line.startswith("A: "):
                items[-1]["answer"] = f"<p>{inline(line[3:])}</p>"
        value = {"items": items}
    elif kind == "table":
        rows = [
            [cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in lines
            if line.strip()
        ]
        value = {
            "caption": argument,
            "columns": rows[0][1:],
            "rows": [{"label": row[0], "cells": row[1:]} for row in rows[1:]],
        }
    elif kind == "proscons":
        value = {
            "title": argument,
            "pros": [line[2:] for line in lines if line.startswith("+ ")],
            "cons": [line[2:] for line in lines if line.startswith("- ")],
        }
    elif kind == "video":
        value = {
            "title": argument,
            "video": media["video"].pk,
            "captions": media["captions"].pk,
            "poster": media["poster"].pk,
            "duration_seconds": VIDEO_SECONDS,
        }
    else:
        raise ValueError(f"Unknown block :::{kind}")
    return {"type": BLOCK_TYPES.get(kind, kind), "value": value}


def parse(path: Path, media: dict) -> tuple[dict, list[dict]]:
    """Front matter and StreamField sections of one Markdown file."""
    text = path.read_text()
    _, front, body = text.split("---\n", 2)
    meta = dict(line.split(": ", 1) for line in front.strip().splitlines())
    sections, prose, fence = [], [], None

    def flush_prose():
        if sections and any(line.strip() for line in prose):
            sections[-1]["value"]["body"].append(
                {"type": "text", "value": paragraphs(prose)}
            )
        prose.clear()

    for line in body.splitlines():
        if fence is not None:
            if line.strip() == ":::":
                kind, argument, lines = fence
                sections[-1]["value"]["body"].append(
                    fenced_block(kind, argument, lines, media)
                )
                fence = None
            else:
                fence[2].append(line)
        elif line.startswith(":::"):
            flush_prose()
            kind, _, argument = line[3:].partition(" ")
            fence = (kind, argument.strip(), [])
        elif match := SECTION.match(line):
            flush_prose()
            heading = match["heading"]
            sections.append(
                {
                    "type": "section",
                    "value": {
                        "heading": heading,
                        "anchor": match["anchor"] or slugify(heading),
                        "body": [],
                    },
                }
            )
        else:
            prose.append(line)
    flush_prose()
    return meta, sections


def topics_of(meta: dict, topics: dict[str, Topic]) -> list[Topic]:
    return [topics[slug.strip()] for slug in meta["topics"].split(",")]


def load_topics() -> dict[str, Topic]:
    topics = {}
    for slug, (name, description) in TOPICS.items():
        topics[slug], _ = Topic.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    return topics


def load_media() -> dict:
    Document = get_document_model()
    Image = get_image_model()
    media = {}
    for key, filename, title in (
        ("video", "installation-day.webm", "Installation day (video)"),
        ("captions", "installation-day.vtt", "Installation day (captions)"),
    ):
        document = Document.objects.filter(title=title).first()
        if document is None:
            document = Document(title=title)
            document.file.save(
                filename, ContentFile((MEDIA / filename).read_bytes()), save=False
            )
            document.save()
        media[key] = document
    poster = Image.objects.filter(title="Installation day (poster)").first()
    if poster is None:
        path = MEDIA / "installation-day-poster.jpg"
        poster = Image(
            title="Installation day (poster)",
            file=ImageFile(BytesIO(path.read_bytes()), name=path.name),
        )
        poster.save()
    media["poster"] = poster
    return media


def _without_ids(value):
    """A stored stream without block ids, list items in their plain form."""
    is_dict = isinstance(value, dict)
    if (
        is_dict
        and value.keys() - {"id"} == {"type", "value"}
        and value["type"] == "item"
    ):
        return _without_ids(value["value"])
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    return value


def _normalised(model, raw: list[dict]) -> list:
    block = model._meta.get_field("body").stream_block
    return _without_ids(block.get_prep_value(block.to_python(raw)))


def publish(parent: Page, model, *, slug: str, fields: dict, topics=None):
    """Create or update one page, publishing only when something changed."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    body = fields.pop("body", None)
    if page is None:
        page = model(slug=slug, **fields)
        if body is not None:
            page.body = body
        parent.add_child(instance=page)
        changed = True
    else:
        changed = any(getattr(page, name) != value for name, value in fields.items())
        if body is not None and _normalised(model, list(page.body.raw_data)) != (
            _normalised(model, body)
        ):
            changed = True
            page.body = body
        for name, value in fields.items():
            setattr(page, name, value)
    if topics is not None and (
        set(page.topics.values_list("pk", flat=True)) != {t.pk for t in topics}
    ):
        page.topics.set(topics)
        changed = True
    if changed or not page.live:
        page.draft_title = page.title
        page.save_revision().publish()
    return page


def load_workflow(home: HomePage) -> Workflow:
    """Editors submit pages for moderation; approvers (Moderators) publish them."""
    task, _ = GroupApprovalTask.objects.get_or_create(name="Approver review")
    task.groups.set(Group.objects.filter(name="Moderators"))
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
    return workflow


def load_content(home: HomePage) -> dict:
    """The demo library under ``home``; returns the pages by slug."""
    topics = load_topics()
    media = load_media()
    areas = {}
    for slug, (title, intro) in AREAS.items():
        areas[slug] = publish(
            home, ContentIndexPage, slug=slug, fields={"title": title, "intro": intro}
        )

    pages = {}
    meta, body = parse(HERE / "guide" / "fibreglass-pool-buyers-guide.md", media)
    pages["guide"] = publish(
        areas["guides"],
        GuidePage,
        slug=meta["slug"],
        fields={
            "title": meta["title"],
            "summary": meta["summary"],
            "body": body,
            "social_image": media["poster"],
        },
        topics=topics_of(meta, topics),
    )
    for path in sorted((HERE / "articles").glob("*.md")):
        meta, body = parse(path, media)
        pages[meta["slug"]] = publish(
            areas["articles"],
            ArticlePage,
            slug=meta["slug"],
            fields={
                "title": meta["title"],
                "summary": meta["summary"],
                "kind": meta["kind"],
                "body": body,
            },
            topics=topics_of(meta, topics),
        )
    pages["video"] = publish(
        areas["guides"],
        VideoPage,
        slug="installation-day-video",
        fields={
            "title": "Installation day, in twelve seconds",
            "summary": (
                "Watch a fibreglass shell go from the lorry into the ground, and "
                "see why the base and backfill matter most."
            ),
            "description": (
                "<p>A short film of the four stages of installation day that "
                "decide how well a pool lasts.</p>"
            ),
            "video": media["video"],
            "captions": media["captions"],
            "poster": media["poster"],
            "duration_seconds": VIDEO_SECONDS,
            "transcript": paragraphs(
                (HERE / "video-transcript.md").read_text().splitlines()
            ),
        },
        topics=[topics["installation"]],
    )
    if home.featured_guide_id != pages["guide"].pk:
        home.featured_guide = pages["guide"]
        home.save_revision().publish()
    load_workflow(home)
    return pages
