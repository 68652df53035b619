"""Mark cached renderings of pieces stale whenever what they show changes.

A piece's own edits change its ``cache_key``; these cover the rest of what a
cached piece shows: its parent area, other pieces (related lists show only
live, public ones), topic names, images, documents and the site's address.
Any save, publish, unpublish, move or delete of a page bumps the shared content
version, as do changes to view restrictions, topics, images, documents and
sites.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from content.listing import bump_content_version
from content.models import Topic


def _on_page_change(sender, instance=None, **kwargs):
    if isinstance(instance, Page):
        bump_content_version()


def _on_change(sender, **kwargs):
    bump_content_version()


def connect() -> None:
    post_save.connect(_on_page_change, dispatch_uid="content-version-page-save")
    post_delete.connect(_on_page_change, dispatch_uid="content-version-page-delete")
    page_published.connect(_on_page_change, dispatch_uid="content-version-publish")
    page_unpublished.connect(_on_page_change, dispatch_uid="content-version-unpub")
    post_page_move.connect(_on_page_change, dispatch_uid="content-version-move")
    models = (PageViewRestriction, Site, Topic, get_image_model(), get_document_model())
    for model in models:
        label = model._meta.label_lower
        post_save.connect(
            _on_change, sender=model, dispatch_uid=f"content-version-{label}-save"
        )
        post_delete.connect(
            _on_change, sender=model, dispatch_uid=f"content-version-{label}-delete"
        )
