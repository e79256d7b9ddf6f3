from django.urls import include, path
from rest_framework.routers import DefaultRouter

from annotations.api import views

router = DefaultRouter()
router.register("workspaces", views.WorkspaceViewSet, basename="workspace")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("candidates", views.CandidateViewSet, basename="candidate")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("assessments", views.AssessmentViewSet, basename="assessment")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
]
