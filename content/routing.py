"""Wagtail's page routing, remembered in the shared cache.

Wagtail finds the page a path names by looking up the site, then walking the
tree from the site's root, two queries a level (the child, then its specific
type). For a guide that is seven queries and, once the page's own fragments
are cached, most of the time the request takes.

Which page a path names changes only when a page or a site changes, and every
such change bumps the content version after it commits (``content.signals``).
So ``RouteCacheMiddleware`` keeps the route under the request's host, port and
path and the current content version; a request that finds it loads the live
page alone, by primary key, and hands Wagtail the site and route through the
attributes Wagtail itself caches them in, so that everything after routing
(view restriction hooks, the page's own ``serve``) runs as it always does.

Only plain routes are remembered: a path that names no page, or a page that
routes further itself (calculators and assessments, which take sub-paths),
goes through Wagtail's walk on every request.
"""

import hashlib

from django.apps import apps
from django.core.cache import cache
from wagtail import views as wagtail_views
from wagtail.models import Page, Site

from content.listing import content_version

# Routes cached under superseded versions are never read again; this only
# bounds how long they take up room.
ROUTE_CACHE_SECONDS = 24 * 60 * 60


def route_key(request, path: str) -> str:
    where = f"{request._get_raw_host()}|{request.get_port()}|{path}"
    digest = hashlib.sha256(where.encode()).hexdigest()
    return f"content:route:{content_version()}:{digest}"


def remembered(key: str) -> tuple[Site, Page] | None:
    """The site and live page cached under ``key``, or None."""
    found = cache.get(key)
    if found is None:
        return None
    site, label, page_id = found
    model = apps.get_model(label)
    page = model.objects.filter(pk=page_id, live=True).first()
    if page is None:
        return None
    return site, page


def remember(key: str, request, path: str) -> None:
    """Find the route the way Wagtail does and keep it when it is a plain one."""
    route = Page.route_for_request(request, path)
    if route is None:
        return
    page, args, kwargs = route
    if args or kwargs:
        return
    site = Site.find_for_request(request)
    cache.set(key, (site, page._meta.label_lower, page.pk), ROUTE_CACHE_SECONDS)


class RouteCacheMiddleware:
    """Route requests for Wagtail's page view from the cache when it can.

    Runs once the URL is resolved, for ``wagtail.views.serve`` alone; every
    other view, and the page view itself, is left as it is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is not wagtail_views.serve or request.method not in (
            "GET",
            "HEAD",
        ):
            return None
        path = view_args[0] if view_args else view_kwargs.get("path", "")
        key = route_key(request, path)
        found = remembered(key)
        if found is None:
            remember(key, request, path)
        else:
            site, page = found
            request._wagtail_site = site
            request._wagtail_route_for_request = (page, (), {})
        return None
