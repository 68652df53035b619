"""The trust dashboard, deals, CSV import and export, and API tokens.

Salespeople see their own figures and deals; managers see the team and may
pick one salesperson. Anything outside a user's scope is a 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from insights import dashboard, imports
from insights.forms import (
    DashboardSettingsForm,
    DealForm,
    MappingForm,
    PeriodForm,
    UploadForm,
)
from insights.models import ApiToken, DashboardSettings, Deal, ImportJob, Outcome
from insights.services import outcomes_changed
from insights.tasks import import_csv
from sales.models import Prospect
from sales.roles import is_sales_manager, sales_team
from sales.views.access import sales_user_required

DEALS_PER_PAGE = 25


def manager_required(view):
    def wrapped(request, *args, **kwargs):
        if not is_sales_manager(request.user):
            raise PermissionDenied("Only sales managers can change this.")
        return view(request, *args, **kwargs)

    return sales_user_required(wrapped)


def scope_of(request):
    """``(owner, team)``: whose figures to show, and the team for a manager."""
    if not is_sales_manager(request.user):
        return request.user, None
    team = list(sales_team())
    chosen = request.GET.get("owner", "")
    owner = next((user for user in team if str(user.pk) == chosen), None)
    return owner, team


# Dashboard -----------------------------------------------------------------


@sales_user_required
def metrics_dashboard(request):
    """Trust metrics for a period: cached figures, fixed queries when computed."""
    form = PeriodForm(request.GET or None)
    period = form.period()
    owner, team = scope_of(request)
    settings = DashboardSettings.load()
    reps = len(team) if team is not None and owner is None else 1

    figures = dashboard.render(
        period,
        owner,
        settings=settings,
        reps=reps,
        scope=dashboard.cache_scope(owner, manager=team is not None),
        errors=form.non_field_errors(),
    )
    if request.htmx:
        return HttpResponse(figures)
    context = {
        "figures": figures,
        "form": form,
        "team": team,
        "owner": owner,
        "is_manager": team is not None,
        "choice": form.data.get("weeks", "12") if form.is_bound else "12",
    }
    return render(request, "insights/dashboard.html", context)


@manager_required
def dashboard_settings(request):
    current = DashboardSettings.load()
    form = DashboardSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        outcomes_changed()
        messages.success(request, "Dashboard settings saved.")
        return HttpResponseRedirect(reverse("insights:metrics"))
    return render(request, "insights/settings_form.html", {"form": form})


# Deals ---------------------------------------------------------------------


def visible_prospects(request):
    return Prospect.objects.visible_to(request.user).order_by("name", "pk")


@sales_user_required
def deals(request):
    query = request.GET.get("q", "").strip()
    outcome = request.GET.get("outcome", "")
    owner, team = scope_of(request)
    queryset = Deal.objects.visible_to(request.user).select_related("prospect__owner")
    if owner is not None and team is not None:
        queryset = queryset.filter(prospect__owner=owner)
    if outcome in Outcome.values:
        queryset = queryset.filter(outcome=outcome)
    if query:
        queryset = queryset.filter(
            Q(title__icontains=query)
            | Q(prospect__name__icontains=query)
            | Q(prospect__company__icontains=query)
            | Q(crm_id__icontains=query)
        )
    page = Paginator(queryset, DEALS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "outcome": outcome,
        "outcomes": Outcome.choices,
        "team": team,
        "owner": owner,
    }
    if request.htmx:
        return render(request, "insights/deals.html#results", context)
    return render(request, "insights/deals.html", context)


@sales_user_required
def deal_create(request):
    initial = {}
    prospect_id = request.GET.get("prospect", "")
    if prospect_id.isdigit():
        prospect = visible_prospects(request).filter(pk=prospect_id).first()
        if prospect is not None:
            initial = {
                "prospect": prospect,
                "source": prospect.source,
                "opened_on": timezone.localdate(prospect.created_at),
            }
    form = DealForm(
        request.POST or None, prospects=visible_prospects(request), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        deal = form.save()
        outcomes_changed()
        messages.success(request, f"Deal “{deal}” saved.")
        return HttpResponseRedirect(reverse("insights:deals"))
    return render(request, "insights/deal_form.html", {"form": form})


@sales_user_required
def deal_edit(request, pk):
    deal = get_object_or_404(Deal.objects.visible_to(request.user), pk=pk)
    form = DealForm(
        request.POST or None, instance=deal, prospects=visible_prospects(request)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        outcomes_changed()
        messages.success(request, f"Deal “{deal}” updated.")
        return HttpResponseRedirect(reverse("insights:deals"))
    return render(request, "insights/deal_form.html", {"form": form, "deal": deal})


# Import ----------------------------------------------------------------------


def get_job(request, pk) -> ImportJob:
    jobs = ImportJob.objects.all()
    if not is_sales_manager(request.user):
        jobs = jobs.filter(uploaded_by=request.user)
    return get_object_or_404(jobs, pk=pk)


@sales_user_required
def import_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > imports.settings.INSIGHTS_IMPORT_MAX_BYTES:
            form.add_error("file", imports.too_big_message())
        else:
            job = ImportJob.objects.create(
                kind=form.cleaned_data["kind"],
                file=upload,
                original_name=upload.name[:200],
                uploaded_by=request.user,
            )
            try:
                headers = imports.headers_of(job)
            except imports.ImportProblem as problem:
                job.file.delete(save=False)
                job.delete()
                form.add_error("file", str(problem))
            else:
                job.mapping = imports.suggest_mapping(job.kind, headers)
                job.save(update_fields=["mapping"])
                return HttpResponseRedirect(
                    reverse("insights:import_map", args=[job.pk])
                )
    recent = ImportJob.objects.filter(uploaded_by=request.user)[:5]
    return render(
        request,
        "insights/import_upload.html",
        {
            "form": form,
            "recent": recent,
            "max_mb": imports.settings.INSIGHTS_IMPORT_MAX_BYTES / (1024 * 1024),
            "max_rows": imports.settings.INSIGHTS_IMPORT_MAX_ROWS,
            "prospect_fields": imports.PROSPECT_FIELDS,
            "deal_fields": imports.DEAL_FIELDS,
        },
    )


@sales_user_required
def import_map(request, pk):
    """Choose columns, then see the preview with every bad row's line number."""
    job = get_job(request, pk)
    if job.state not in (ImportJob.State.UPLOADED, ImportJob.State.INVALID):
        return HttpResponseRedirect(job.get_absolute_url())
    try:
        headers = imports.headers_of(job)
    except imports.ImportProblem as problem:
        messages.error(request, str(problem))
        return HttpResponseRedirect(reverse("insights:import"))
    form = MappingForm(
        request.POST or None,
        fields=imports.FIELDS[job.kind],
        headers=headers,
        initial_mapping=job.mapping,
    )
    checked = None
    if request.method == "POST" and form.is_valid():
        job.mapping = form.mapping()
        job.save(update_fields=["mapping"])
        checked = imports.preview(job)
    elif job.total_rows or job.errors:
        checked = imports.preview(job)
    context = {
        "job": job,
        "form": form,
        "checked": checked,
        "sample": checked.rows[: imports.PREVIEW_ROWS] if checked else [],
        "fields": imports.FIELDS[job.kind],
    }
    return render(request, "insights/import_map.html", context)


@require_POST
@sales_user_required
def import_start(request, pk):
    job = get_job(request, pk)
    if job.state != ImportJob.State.UPLOADED or not job.total_rows:
        messages.error(request, "Check the file's preview before importing it.")
        return HttpResponseRedirect(reverse("insights:import_map", args=[job.pk]))
    ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.UPLOADED).update(
        state=ImportJob.State.QUEUED
    )
    import_csv.delay_on_commit(job.pk)
    return HttpResponseRedirect(job.get_absolute_url())


@sales_user_required
def import_job(request, pk):
    job = get_job(request, pk)
    context = {"job": job}
    if request.htmx:
        return render(request, "insights/import_job.html#progress", context)
    return render(request, "insights/import_job.html", context)


# Export ----------------------------------------------------------------------


def csv_response(filename: str, header, rows) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        imports.csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@sales_user_required
def export_prospects(request):
    header, rows = imports.prospect_export_rows(
        Prospect.objects.visible_to(request.user).order_by("pk")
    )
    return csv_response(f"prospects-{timezone.localdate()}.csv", header, rows)


@sales_user_required
def export_deals(request):
    header, rows = imports.deal_export_rows(
        Deal.objects.visible_to(request.user).order_by("pk")
    )
    return csv_response(f"deals-{timezone.localdate()}.csv", header, rows)


# API tokens --------------------------------------------------------------------


@manager_required
def api_tokens(request):
    created = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:100]
        if name:
            row, token = ApiToken.issue(name=name, created_by=request.user)
            created = {"row": row, "token": token}
        else:
            messages.error(request, "Give the token a name, e.g. “CRM sync”.")
    tokens = ApiToken.objects.select_related("created_by")
    return render(
        request, "insights/api_tokens.html", {"tokens": tokens, "created": created}
    )


@require_POST
@manager_required
def api_token_revoke(request, pk):
    ApiToken.objects.filter(pk=pk, revoked_at=None).update(revoked_at=timezone.now())
    messages.success(request, "Token revoked; calls with it are refused from now on.")
    return HttpResponseRedirect(reverse("insights:api_tokens"))
