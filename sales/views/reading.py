"""The prospect's reading list, reached through a personal link.

GET never changes anything, so email security scanners that open every link
leave no trace. The first real use (a POST, sent by the page's script on the
first interaction or by any button) records the browser as a viewer and swaps
the token in the URL for a first-party cookie.
"""

import logging
import uuid
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from sales.forms import ConsentForm, OwnLinkForm
from sales.models import Assignment, Viewer
from sales.reading import reading_list_for
from sales.services import (
    open_link,
    remember_viewer,
    request_own_link,
    set_consent,
    viewer_for_browser,
    viewer_ids_from_cookie,
)
from sales.tasks import email_assignment_link, notify_link_requested
from tracking.clients import client_fingerprint
from tracking.ratelimit import within_limit

logger = logging.getLogger(__name__)


class TooManyGuesses(Exception):
    """One client asked for too many links that do not exist."""


def assignment_for_token(request, token: str) -> Assignment:
    """The assignment behind a link, or 404; 429 for a client that keeps guessing.

    Only unknown tokens count against the client, so a prospect reloading
    their own link is never limited.
    """
    assignment = (
        Assignment.objects.for_token(token)
        .select_related("prospect__owner", "call", "created_by")
        .first()
    )
    if assignment is None:
        client = client_fingerprint(request)
        allowed = within_limit(
            "sales-unknown-link",
            client,
            limit=settings.SALES_UNKNOWN_LINKS_PER_MINUTE,
            now=timezone.now(),
        )
        if not allowed:
            logger.warning(
                "Unknown reading-list links: client %s over the limit", client[:12]
            )
            raise TooManyGuesses
        raise Http404("No reading list has this link.")
    return assignment


def guarded(view):
    """Answer 429 with a friendly page when the client keeps guessing links."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except TooManyGuesses:
            response = render(request, "sales/reading/no_list.html", status=429)
            response["Retry-After"] = "60"
            return response

    return wrapper


def link_gone(request, assignment: Assignment):
    return render(
        request,
        "sales/reading/link_gone.html",
        {"assignment": assignment, "state": assignment.state},
        status=410,
    )


def current_viewer(request) -> Viewer | None:
    """The newest viewer this browser's cookie names whose link still works."""
    ids = viewer_ids_from_cookie(request)
    viewers = Viewer.objects.filter(pk__in=ids).select_related(
        "assignment__prospect__owner", "assignment__call", "assignment__created_by"
    )
    by_pk = {viewer.pk: viewer for viewer in viewers}
    for pk in ids:
        if pk in by_pk:
            return by_pk[pk]
    return None


@guarded
@never_cache
@require_safe
def by_token(request, token):
    assignment = assignment_for_token(request, token)
    if not assignment.is_usable():
        return link_gone(request, assignment)
    if viewer_for_browser(request, assignment) is not None:
        return HttpResponseRedirect(reverse("reading:list"))
    context = reading_list_for(assignment=assignment, viewer=None)
    # Forms and the opening script use relative URLs: the token is never
    # written into the page itself.
    context["via_link"] = True
    response = render(request, "sales/reading/list.html", context)
    # Same-origin only: the token never leaks to other sites, and forms keep a
    # real Origin header (no-referrer would send "null" and fail CSRF checks).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@guarded
@never_cache
@require_POST
def open_by_token(request, token):
    """Exchange the link's token for the first-party cookie."""
    assignment = assignment_for_token(request, token)
    if not assignment.is_usable():
        return link_gone(request, assignment)
    viewer = open_link(request=request, assignment=assignment)
    url = reverse("reading:list")
    if request.headers.get("Accept", "").startswith("application/json"):
        response = JsonResponse({"url": url})
    else:
        response = HttpResponseRedirect(url, status=303)
    remember_viewer(response, request=request, viewer=viewer)
    return response


@never_cache
@require_safe
def reading_list(request):
    viewer = current_viewer(request)
    if viewer is None:
        return render(request, "sales/reading/no_list.html", status=404)
    if not viewer.assignment.is_usable():
        return link_gone(request, viewer.assignment)
    context = reading_list_for(assignment=viewer.assignment, viewer=viewer)
    context["own_link_form"] = OwnLinkForm()
    return render(request, "sales/reading/list.html", context)


@guarded
@never_cache
@require_POST
def consent(request, token=None):
    """Record yes or no; from the token page this is also the link's first use."""
    if token is not None:
        assignment = assignment_for_token(request, token)
        if not assignment.is_usable():
            return link_gone(request, assignment)
        viewer = open_link(request=request, assignment=assignment)
    else:
        viewer = current_viewer(request)
        if viewer is None:
            return render(request, "sales/reading/no_list.html", status=404)
        if not viewer.assignment.is_usable():
            return link_gone(request, viewer.assignment)

    form = ConsentForm(request.POST)
    response = HttpResponseRedirect(reverse("reading:list") + "#consent", status=303)
    if form.is_valid():
        set_consent(
            request=request,
            response=response,
            viewer=viewer,
            consent=form.cleaned_data["choice"],
        )
    remember_viewer(response, request=request, viewer=viewer)
    return response


@never_cache
@require_POST
def own_link(request):
    """A forwarded viewer asks for a reading list of their own."""
    viewer = current_viewer(request)
    if viewer is None or viewer.role != Viewer.Role.FORWARDED:
        raise Http404("Only a forwarded viewer can ask for a link of their own.")
    if not viewer.assignment.is_usable():
        return link_gone(request, viewer.assignment)

    form = OwnLinkForm(request.POST)
    if not form.is_valid():
        context = reading_list_for(assignment=viewer.assignment, viewer=viewer)
        context["own_link_form"] = form
        return render(request, "sales/reading/list.html", context, status=400)

    prospect, assignment, token = request_own_link(
        viewer=viewer, name=form.cleaned_data["name"], email=form.cleaned_data["email"]
    )
    email_assignment_link.delay_on_commit(assignment.pk, token, uuid.uuid4().hex)
    notify_link_requested.delay_on_commit(prospect.pk)
    return render(
        request, "sales/reading/link_sent.html", {"email": prospect.email}, status=201
    )
