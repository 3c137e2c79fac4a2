from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agencies import two_factor_views
from reports.api import IndicatorsApi, OpenDataApi, ReportFileApi
from work import views as work_views

from .health import healthz
from .metrics import metrics

urlpatterns = [
    path("", work_views.home, name="home"),
    path("", include("agencies.urls")),
    path("", include("cases.urls")),
    path("", include("notifications.urls")),
    path("", include("plans.urls")),
    path("", include("reports.urls")),
    path("", include("outgoing.urls")),
    path("api/v1/indicators/", IndicatorsApi.as_view(), name="api-indicators"),
    re_path(
        r"^api/v1/reports/(?P<pk>\d+)/file\.(?P<extension>pdf|xlsx)$", ReportFileApi.as_view(), name="api-report-file"
    ),
    re_path(
        r"^api/v1/reports/(?P<pk>\d+)/open-data\.(?P<extension>json|csv)$",
        OpenDataApi.as_view(),
        name="api-report-open-data",
    ),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/setup/", two_factor_views.setup, name="two_factor_setup"),
    path("accounts/2fa/verify/", two_factor_views.verify, name="two_factor_verify"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/password_change.html", success_url="/accounts/security/"
        ),
        name="password_change",
    ),
    path("accounts/security/", two_factor_views.security, name="account_security"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("agencies.api_urls")),
    path("api/v1/", include("cases.api_urls")),
    path("api/v1/", include("plans.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script, CSP holds.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

# JSON for API clients, a plain page for people; 503 with Retry-After when a part is down (config/errors.py).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
