from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from annotations import web, web_review

urlpatterns = [
    path("", web.home, name="home"),
    path("healthz", web.healthz, name="healthz"),
    path("workspaces/<int:workspace_id>/", web.workspace_page, name="workspace"),
    path("workspaces/<int:workspace_id>/articles/new/", web.article_add, name="article-add"),
    path("articles/<int:article_id>/", web.article_page, name="article"),
    path("queues/", web_review.queues_page, name="queues"),
    path(
        "workspaces/<int:workspace_id>/agreement/",
        web_review.agreement_page,
        name="agreement",
    ),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["annotations"]), name="jsi18n"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("annotations.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script, so the
    # Content-Security-Policy (annotations.middleware) holds on this page too.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]
