"""Purge cached page bodies whenever any page changes.

Related-piece lists inside a cached body depend on other pages, so any save,
publish, unpublish or delete of a page bumps the shared generation.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from content.listing import bump_content_generation


def _on_page_change(sender, instance=None, **kwargs):
    if isinstance(instance, Page):
        bump_content_generation()


def connect() -> None:
    post_save.connect(_on_page_change, dispatch_uid="content-body-cache-save")
    post_delete.connect(_on_page_change, dispatch_uid="content-body-cache-delete")
    page_published.connect(_on_page_change, dispatch_uid="content-body-cache-pub")
    page_unpublished.connect(_on_page_change, dispatch_uid="content-body-cache-unpub")
