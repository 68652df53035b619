from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from content import views

app_name = "content"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path(
        "media-documents/<int:document_id>/<str:filename>",
        views.media_document,
        name="media_document",
    ),
]
