from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from ventanilla.core import health

admin.site.site_header = _("Ventanilla administration")
admin.site.site_title = _("Ventanilla")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("ventanilla.accounts.api.urls")),
    path("api/v1/", include("ventanilla.audit.api.urls")),
    path("api/v1/", include("ventanilla.declarations.api.urls")),
    path("api/v1/", include("ventanilla.clearance.api.urls")),
    path("api/v1/", include("ventanilla.risk.api.urls")),
    path("api/v1/", include("ventanilla.agencies.api.urls")),
    path("api/v1/", include("ventanilla.duties.api.urls")),
    path("api/v1/", include("ventanilla.payments.api.urls")),
    path("api/v1/", include("ventanilla.notifications.api.urls")),
    path("api/public/v1/", include("ventanilla.reference.api.urls")),
    path("api/public/v1/", include("ventanilla.accounts.api.public_urls")),
    path("accounts/", include("ventanilla.accounts.urls")),
    path("reference/", include("ventanilla.reference.urls")),
    path("declarations/", include("ventanilla.clearance.urls.declarations")),
    path("agencies/", include("ventanilla.agencies.urls")),
    path("clearance/", include("ventanilla.clearance.urls")),
    path("notices/", include("ventanilla.notifications.urls")),
    path("", include("ventanilla.core.urls")),
]
