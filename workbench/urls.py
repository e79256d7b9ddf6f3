from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from annotations.api.error_views import json_errors
from annotations.web import (
    articles,
    auth,
    claims,
    dashboard,
    desk,
    exports,
    health,
    imports,
    notifications,
    review,
    search,
    webhooks,
)

urlpatterns = [
    path("", articles.home, name="home"),
    # Liveness (the process answers) and readiness (its dependencies do); healthz is readiness,
    # under the name it always had (annotations.web.health).
    path("livez", health.livez, name="livez"),
    path("readyz", health.readyz, name="readyz"),
    path("healthz", health.readyz, name="healthz"),
    path("workspaces/new/", desk.workspace_new, name="workspace-new"),
    path("workspaces/<int:workspace_id>/", articles.workspace_page, name="workspace"),
    path(
        "workspaces/<int:workspace_id>/settings/",
        desk.workspace_settings,
        name="desk-settings",
    ),
    path("workspaces/<int:workspace_id>/members/", desk.workspace_members, name="desk-members"),
    path(
        "workspaces/<int:workspace_id>/webhooks/",
        webhooks.webhooks_page,
        name="desk-webhooks",
    ),
    path("invitations/<slug:token>/", desk.invitation_accept, name="invitation-accept"),
    path("workspaces/<int:workspace_id>/articles/new/", articles.article_add, name="article-add"),
    path("articles/<int:article_id>/", articles.article_page, name="article"),
    path("articles/<int:article_id>/fetch/", articles.article_refetch_page, name="article-refetch"),
    path("claims/<int:claim_id>/", claims.claim_page, name="claim"),
    path("claims/<int:claim_id>/curate/", claims.curation_page, name="claim-curate"),
    path(
        "workspaces/<int:workspace_id>/claimreviews.json",
        claims.claimreview_feed,
        name="claimreview-feed",
    ),
    path("workspaces/<int:workspace_id>/dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("workspaces/<int:workspace_id>/exports/", exports.exports_page, name="exports"),
    path(
        "workspaces/<int:workspace_id>/exports/download/",
        exports.export_download,
        name="export-download",
    ),
    path("workspaces/<int:workspace_id>/imports/", imports.imports_page, name="imports"),
    path("imports/<int:job_id>/", imports.import_job_page, name="import-job"),
    path("queues/", review.queues_page, name="queues"),
    path("search/", search.search_page, name="search"),
    path("notifications/", notifications.notifications_page, name="notifications"),
    path("queues/publish/", claims.publish_selected, name="queue-publish"),
    path("workspaces/<int:workspace_id>/agreement/", review.agreement_page, name="agreement"),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["annotations"]), name="jsi18n"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("annotations.api.urls")),
    path("api/schema/", json_errors(SpectacularAPIView.as_view()), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script, so the
    # Content-Security-Policy (annotations.middleware) holds on this page too.
    path(
        "api/docs/",
        # GET only: the view has no answer for OPTIONS (its template is for GET).
        json_errors(
            SpectacularSwaggerSplitView.as_view(
                url_name="schema", http_method_names=["get", "head"]
            )
        ),
        name="swagger-ui",
    ),
]

# Errors that never reach DRF (no route, a body too large, an unexpected exception) answer in
# JSON under /api/ and as the workbench's pages elsewhere (annotations.api.error_views).
handler400 = "annotations.api.error_views.bad_request"
handler403 = "annotations.api.error_views.permission_denied"
handler404 = "annotations.api.error_views.page_not_found"
handler500 = "annotations.api.error_views.server_error"
