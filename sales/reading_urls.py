"""The prospect's side: personal links and the token-free reading list."""

from django.urls import path

from sales.views import reading

app_name = "reading"

urlpatterns = [
    path("", reading.reading_list, name="list"),
    path("consent/", reading.consent, name="consent"),
    path("own-link/", reading.own_link, name="own_link"),
    path("<str:token>/", reading.by_token, name="by_token"),
    path("<str:token>/open/", reading.open_by_token, name="open"),
    path("<str:token>/consent/", reading.consent, name="consent_by_token"),
]
