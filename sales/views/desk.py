"""The salesperson's desk: calls, prospects, assignments and the pre-call brief.

Salespeople see only their own prospects; anything else is a 404, so a URL
never tells whether another salesperson's prospect exists.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from wagtail.models import Page

from content.listing import PieceFilterForm, filter_pieces
from content.models import content_pages
from sales.brief import brief_for
from sales.forms import AssignmentForm, CallForm, ProspectForm
from sales.models import Assignment, Notification, Prospect
from sales.privacy import erase_prospect, export_prospect
from sales.readiness import Readiness, readiness_for
from sales.roles import is_sales_manager, sales_team
from sales.services import (
    Pick,
    create_assignment,
    extend_assignment,
    revoke_assignment,
    rotate_token,
)
from sales.tasks import email_assignment_link
from sales.upcoming import CallFilters, calls_list
from sales.views.access import sales_user_required

PROSPECTS_PER_PAGE = 25
SEARCH_RESULTS = 20
LINK_SESSION_KEY = "sales:new-links"


def owner_scope(request):
    """The salesperson whose work to show: a manager may pick one, or the team."""
    if not is_sales_manager(request.user):
        return request.user, None
    team = list(sales_team())
    chosen = request.GET.get("owner", "")
    owner = next((user for user in team if str(user.pk) == chosen), None)
    return owner, team


def scoped(queryset, request, owner_field: str):
    owner, _ = owner_scope(request)
    queryset = queryset.visible_to(request.user)
    if owner is not None:
        queryset = queryset.filter(**{owner_field: owner})
    return queryset


def get_prospect(request, pk) -> Prospect:
    return get_object_or_404(
        Prospect.objects.visible_to(request.user).select_related("owner"), pk=pk
    )


def get_assignment(request, pk) -> Assignment:
    return get_object_or_404(
        Assignment.objects.visible_to(request.user).select_related(
            "prospect__owner", "call", "created_by"
        ),
        pk=pk,
    )


@sales_user_required
def home(request):
    """Upcoming calls with each prospect's readiness.

    The list itself is cached while nothing it shows changes (sales/upcoming.py);
    the page around it, with the CSRF token and the script nonce, never is.
    """
    owner, team = owner_scope(request)
    manager = team is not None
    filters = CallFilters(
        owner_id=owner.pk if manager and owner else None,
        status=request.GET.get("status", ""),
        query=request.GET.get("q", "").strip(),
    )
    calls = calls_list(user=request.user, manager=manager, filters=filters)
    if request.htmx:
        response = HttpResponse(calls)
    else:
        context = {
            "calls": calls,
            "team": team,
            "owner": owner,
            "status": filters.status,
            "query": filters.query,
            "statuses": list(Readiness.LABELS.items()),
            "is_manager": manager,
            "unread": Notification.objects.filter(
                recipient=request.user, read_at=None
            ).count(),
        }
        response = render(request, "sales/home.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@sales_user_required
def prospects(request):
    query = request.GET.get("q", "").strip()
    queryset = scoped(Prospect.objects.all(), request, "owner").select_related("owner")
    if query:
        queryset = queryset.filter(
            Q(name__icontains=query)
            | Q(company__icontains=query)
            | Q(email__icontains=query)
        )
    page = Paginator(queryset, PROSPECTS_PER_PAGE).get_page(request.GET.get("page"))
    readiness = readiness_for(prospect.pk for prospect in page.object_list)
    for prospect in page.object_list:
        prospect.readiness = readiness[prospect.pk]
    owner, team = owner_scope(request)
    context = {"page": page, "query": query, "team": team, "owner": owner}
    if request.htmx:
        return render(request, "sales/prospects.html#results", context)
    return render(request, "sales/prospects.html", context)


@sales_user_required
def prospect_create(request):
    manager = is_sales_manager(request.user)
    form = ProspectForm(
        request.POST or None, user=request.user, can_choose_owner=manager
    )
    if request.method == "POST" and form.is_valid():
        prospect = form.save(commit=False)
        if not manager:
            prospect.owner = request.user
        prospect.save()
        messages.success(request, f"{prospect.name} added.")
        return HttpResponseRedirect(prospect.get_absolute_url())
    return render(request, "sales/prospect_form.html", {"form": form})


@sales_user_required
def prospect_edit(request, pk):
    prospect = get_prospect(request, pk)
    manager = is_sales_manager(request.user)
    form = ProspectForm(
        request.POST or None,
        instance=prospect,
        user=request.user,
        can_choose_owner=manager,
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{prospect.name} updated.")
        return HttpResponseRedirect(prospect.get_absolute_url())
    return render(
        request, "sales/prospect_form.html", {"form": form, "prospect": prospect}
    )


@sales_user_required
def prospect_brief(request, pk):
    """The pre-call brief: what the prospect did, with the evidence."""
    prospect = get_prospect(request, pk)
    context = brief_for(prospect)
    context["new_links"] = request.session.pop(LINK_SESSION_KEY, {})
    context["can_manage"] = is_sales_manager(request.user)
    return render(request, "sales/brief.html", context)


def manager_only(request):
    if not is_sales_manager(request.user):
        raise PermissionDenied("Only a sales manager can export or erase a prospect.")


@sales_user_required
def prospect_export(request, pk):
    """Everything held about the prospect, as a JSON download (managers)."""
    prospect = get_prospect(request, pk)
    manager_only(request)
    response = JsonResponse(
        export_prospect(prospect),
        encoder=DjangoJSONEncoder,
        json_dumps_params={"indent": 2},
    )
    response["Content-Disposition"] = (
        f'attachment; filename="prospect-{prospect.pk}.json"'
    )
    return response


@sales_user_required
def prospect_erase(request, pk):
    """Erase the prospect and all their reading, after a confirmation (managers)."""
    prospect = get_prospect(request, pk)
    manager_only(request)
    if request.method == "POST":
        erase_prospect(prospect=prospect)
        messages.success(request, "The prospect and all their reading were erased.")
        return HttpResponseRedirect(reverse("sales:prospects"))
    return render(request, "sales/prospect_erase.html", {"prospect": prospect})


@sales_user_required
def call_create(request, pk):
    prospect = get_prospect(request, pk)
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        call = form.save(commit=False)
        call.prospect = prospect
        call.owner = prospect.owner
        call.save()
        messages.success(
            request,
            f"Call booked for {timezone.localtime(call.starts_at):%d %b %H:%M}.",
        )
        return HttpResponseRedirect(prospect.get_absolute_url())
    return render(request, "sales/call_form.html", {"form": form, "prospect": prospect})


def piece_choices(page_ids):
    pages = Page.objects.filter(pk__in=page_ids).live()
    return [(page.pk, page.title) for page in pages]


@sales_user_required
def assignment_create(request, pk):
    prospect = get_prospect(request, pk)
    chosen = request.POST.getlist("pages") if request.method == "POST" else []
    chosen_ids = [int(value) for value in chosen if value.isdigit()]
    form = AssignmentForm(
        request.POST or None,
        prospect=prospect,
        page_choices=piece_choices(chosen_ids),
    )
    if request.method == "POST" and form.is_valid():
        required = set(form.cleaned_data["required_pages"])
        pages = {page.pk: page for page in Page.objects.filter(pk__in=chosen_ids)}
        picks = [
            Pick(page=pages[page_id], required=page_id in required)
            for page_id in form.cleaned_data["pages"]
        ]
        assignment, token = create_assignment(
            prospect=prospect,
            created_by=request.user,
            picks=picks,
            note=form.cleaned_data["note"],
            call=form.cleaned_data["call"],
        )
        remember_new_link(request, assignment, token)
        if request.POST.get("send_email") and prospect.email:
            email_assignment_link.delay_on_commit(
                assignment.pk, token, uuid.uuid4().hex
            )
            messages.success(
                request, f"Reading list created and emailed to {prospect.email}."
            )
        else:
            messages.success(request, "Reading list created. Copy the link below.")
        return HttpResponseRedirect(assignment.get_absolute_url())

    search_form = PieceFilterForm(prefix="find")
    selected = Page.objects.filter(pk__in=chosen_ids).specific()
    return render(
        request,
        "sales/assignment_form.html",
        {
            "form": form,
            "prospect": prospect,
            "search_form": search_form,
            "selected": selected,
            "required_ids": {
                int(v) for v in request.POST.getlist("required_pages") if v.isdigit()
            },
        },
    )


@sales_user_required
def content_search(request):
    """htmx: live pieces matching a title, kind and topic, to add to a list."""
    form = PieceFilterForm(request.GET, prefix="find")
    results = []
    if form.is_valid():
        queryset = filter_pieces(
            content_pages(),
            kind=form.cleaned_data["kind"],
            topic=form.cleaned_data["topic"],
        )
        if form.cleaned_data["q"]:
            queryset = queryset.filter(title__icontains=form.cleaned_data["q"])
        results = list(queryset[:SEARCH_RESULTS].specific())
    return render(
        request, "sales/assignment_form.html#search-results", {"results": results}
    )


def remember_new_link(request, assignment, token):
    """Keep a fresh link in the session so it can be shown (once) and copied."""
    links = request.session.get(LINK_SESSION_KEY, {})
    links[str(assignment.pk)] = request.build_absolute_uri(
        reverse("reading:by_token", args=[token])
    )
    request.session[LINK_SESSION_KEY] = links


@sales_user_required
def assignment_detail(request, pk):
    assignment = get_assignment(request, pk)
    links = request.session.get(LINK_SESSION_KEY, {})
    link = links.pop(str(assignment.pk), None)
    request.session[LINK_SESSION_KEY] = links
    readiness = readiness_for([assignment.prospect_id])[assignment.prospect_id]
    progress = {piece.item.page_id: piece for piece in readiness.pieces}
    items = list(assignment.items.select_related("page"))
    for item in items:
        item.piece = progress.get(item.page_id)
    return render(
        request,
        "sales/assignment.html",
        {
            "assignment": assignment,
            "items": items,
            "link": link,
            "viewers": list(assignment.viewers.all()),
        },
    )


@sales_user_required
@require_POST
def assignment_action(request, pk, action):
    assignment = get_assignment(request, pk)
    if action == "revoke":
        revoke_assignment(assignment=assignment)
        messages.success(request, "Link revoked. It no longer opens the reading list.")
    elif action == "extend":
        extend_assignment(assignment=assignment, days=14)
        messages.success(
            request,
            "Link now works until "
            f"{timezone.localtime(assignment.expires_at):%d %b %Y}.",
        )
    elif action in ("new-link", "email"):
        if not assignment.is_usable():
            messages.error(request, "This link was revoked or has expired.")
            return HttpResponseRedirect(assignment.get_absolute_url())
        token = rotate_token(assignment=assignment)
        remember_new_link(request, assignment, token)
        if action == "email":
            if not assignment.prospect.email:
                messages.error(request, "Add the prospect's email address first.")
                return HttpResponseRedirect(assignment.get_absolute_url())
            email_assignment_link.delay_on_commit(
                assignment.pk, token, uuid.uuid4().hex
            )
            messages.success(
                request,
                f"A new link was emailed to {assignment.prospect.email}; "
                "the old one no longer works.",
            )
        else:
            messages.success(request, "New link made; the old one no longer works.")
    else:
        raise Http404("Unknown action.")
    return HttpResponseRedirect(assignment.get_absolute_url())


@sales_user_required
def notifications(request):
    notices = Notification.objects.filter(recipient=request.user).select_related(
        "prospect"
    )
    page = Paginator(notices, 30).get_page(request.GET.get("page"))
    if request.method == "POST":
        Notification.objects.filter(recipient=request.user, read_at=None).update(
            read_at=timezone.now()
        )
        return HttpResponseRedirect(reverse("sales:notifications"))
    return render(request, "sales/notifications.html", {"page": page})
