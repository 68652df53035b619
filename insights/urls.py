from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("metrics/", views.metrics_dashboard, name="metrics"),
    path("metrics/settings/", views.dashboard_settings, name="settings"),
    path("deals/", views.deals, name="deals"),
    path("deals/new/", views.deal_create, name="deal_create"),
    path("deals/<int:pk>/", views.deal_edit, name="deal_edit"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/columns/", views.import_map, name="import_map"),
    path("import/<int:pk>/start/", views.import_start, name="import_start"),
    path("export/prospects.csv", views.export_prospects, name="export_prospects"),
    path("export/deals.csv", views.export_deals, name="export_deals"),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path(
        "api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"
    ),
]
