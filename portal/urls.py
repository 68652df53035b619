from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from insights.api import api
from portal import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    # Django's own admin is for operators only; editors use Wagtail's.
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password change and reset, in the portal's own templates/registration/.
    path("accounts/", include("django.contrib.auth.urls")),
    path("sales/", include("insights.urls")),
    path("sales/", include("sales.urls")),
    path("api/", api.urls),
    path("t/", include("tracking.urls")),
    path("a/", include("sales.reading_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.BENCHMARK_NOOP:
    from bench.views import noop

    urlpatterns.append(path("bench/noop", noop, name="bench_noop"))

# Search, sitemap.xml, robots.txt and range-aware media before Wagtail's pages.
urlpatterns += [
    path("", include("content.urls")),
    path("", include(wagtail_urls)),
]
