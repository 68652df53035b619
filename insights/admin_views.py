"""Content performance for editors, in the Wagtail admin."""

from django.shortcuts import render

from content.models import ContentKind
from insights import content_report
from insights.forms import PeriodForm
from insights.presentation import format_value
from insights.views import csv_response


def content_performance(request):
    """Per-piece figures for a period; sortable, filterable by kind, as CSV."""
    form = PeriodForm(request.GET or None)
    period = form.period()
    kind = request.GET.get("kind", "")
    sort = request.GET.get("sort", "reads")
    descending = request.GET.get("order", "desc") != "asc"
    rows = content_report.report(period, kind=kind, sort=sort, descending=descending)

    if request.GET.get("format") == "csv":
        header = [label for _, label in content_report.COLUMNS] + ["n reads"]
        lines = (
            [
                row.title,
                row.kind_label,
                row.reads,
                row.median,
                format_value(row.end_share, "share"),
                format_value(row.long_share, "share"),
                row.assigned,
                format_value(row.completion, "share"),
                format_value(row.won_share, "share"),
                row.reads,
            ]
            for row in rows
        )
        return csv_response(f"content-performance-{period.start}.csv", header, lines)

    context = {
        "rows": rows,
        "form": form,
        "period": period,
        "kind": kind,
        "kinds": ContentKind.choices,
        "sort": sort,
        "descending": descending,
        "columns": content_report.COLUMNS,
        "choice": form.data.get("weeks", "12") if form.is_bound else "12",
    }
    return render(request, "insights/content_performance.html", context)
