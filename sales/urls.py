from django.urls import path

from sales.views import desk

app_name = "sales"

urlpatterns = [
    path("", desk.home, name="home"),
    path("notifications/", desk.notifications, name="notifications"),
    path("prospects/", desk.prospects, name="prospects"),
    path("prospects/new/", desk.prospect_create, name="prospect_create"),
    path("prospects/<int:pk>/", desk.prospect_brief, name="prospect"),
    path("prospects/<int:pk>/edit/", desk.prospect_edit, name="prospect_edit"),
    path("prospects/<int:pk>/export/", desk.prospect_export, name="prospect_export"),
    path("prospects/<int:pk>/erase/", desk.prospect_erase, name="prospect_erase"),
    path("prospects/<int:pk>/calls/new/", desk.call_create, name="call_create"),
    path("prospects/<int:pk>/assign/", desk.assignment_create, name="assign"),
    path("pieces/", desk.content_search, name="content_search"),
    path("assignments/<int:pk>/", desk.assignment_detail, name="assignment"),
    path(
        "assignments/<int:pk>/<slug:action>/",
        desk.assignment_action,
        name="assignment_action",
    ),
]
