from django.urls import include, path
from rest_framework.routers import DefaultRouter

from annotations.api import (
    clusters,
    comments,
    exports,
    extraction,
    imports,
    live,
    notifications,
    review,
    views,
    webhooks,
)

router = DefaultRouter()
router.register("workspaces", views.WorkspaceViewSet, basename="workspace")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("candidates", views.CandidateViewSet, basename="candidate")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("assessments", views.AssessmentViewSet, basename="assessment")
router.register("queues", review.QueueViewSet, basename="queue")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    # Candidates in bulk and already-checked look-alikes (annotations.api.extraction).
    path(
        "articles/<int:article_id>/candidates/accept-all/",
        extraction.ArticleCandidatesAcceptAllView.as_view(),
        name="article-candidates-accept-all",
    ),
    path(
        "articles/<int:article_id>/candidates/dismiss-all/",
        extraction.ArticleCandidatesDismissAllView.as_view(),
        name="article-candidates-dismiss-all",
    ),
    path(
        "claims/<int:claim_id>/similar/",
        extraction.ClaimSimilarView.as_view(),
        name="claim-similar",
    ),
    # The same claim across articles (annotations.api.clusters).
    path(
        "claims/<int:claim_id>/cluster/", clusters.ClaimClusterView.as_view(), name="claim-cluster"
    ),
    path(
        "claims/<int:claim_id>/cluster/merge/",
        clusters.ClaimClusterMergeView.as_view(),
        name="claim-cluster-merge",
    ),
    path(
        "claims/<int:claim_id>/cluster/split/",
        clusters.ClaimClusterSplitView.as_view(),
        name="claim-cluster-split",
    ),
    # Comments on a claim (annotations.api.comments).
    path(
        "claims/<int:claim_id>/comments/",
        comments.ClaimCommentsView.as_view(),
        name="claim-comments",
    ),
    path("comments/<int:comment_id>/", comments.CommentView.as_view(), name="comment-detail"),
    # The article's live feed, for polling (annotations.api.live).
    path(
        "articles/<int:article_id>/events/",
        live.ArticleEventsView.as_view(),
        name="article-events",
    ),
    # A workspace's webhooks (annotations.api.webhooks).
    path(
        "workspaces/<int:workspace_id>/webhooks/",
        webhooks.WorkspaceWebhooksView.as_view(),
        name="workspace-webhooks",
    ),
    path("webhooks/<int:webhook_id>/", webhooks.WebhookView.as_view(), name="webhook-detail"),
    path(
        "webhooks/<int:webhook_id>/secret/",
        webhooks.WebhookSecretView.as_view(),
        name="webhook-secret",
    ),
    path(
        "webhooks/<int:webhook_id>/ping/", webhooks.WebhookPingView.as_view(), name="webhook-ping"
    ),
    path(
        "webhooks/<int:webhook_id>/deliveries/",
        webhooks.WebhookDeliveriesView.as_view(),
        name="webhook-deliveries",
    ),
    path(
        "webhook-deliveries/<int:delivery_id>/redeliver/",
        webhooks.RedeliverView.as_view(),
        name="webhook-redeliver",
    ),
    # A person's notifications (annotations.api.notifications).
    path("notifications/", notifications.NotificationListView.as_view(), name="notification-list"),
    path(
        "notifications/read/",
        notifications.NotificationsReadView.as_view(),
        name="notifications-read",
    ),
    path(
        "notifications/settings/",
        notifications.NotificationSettingsView.as_view(),
        name="notification-settings",
    ),
    path(
        "candidates/<int:candidate_id>/similar/",
        extraction.CandidateSimilarView.as_view(),
        name="candidate-similar",
    ),
    # Exports and dataset releases (annotations.api.exports).
    path(
        "workspaces/<int:workspace_id>/export/",
        exports.WorkspaceExportView.as_view(),
        name="workspace-export",
    ),
    path(
        "workspaces/<int:workspace_id>/exports/",
        exports.WorkspaceExportJobsView.as_view(),
        name="export-job-list",
    ),
    path("exports/<int:job_id>/", exports.ExportJobView.as_view(), name="export-job-detail"),
    path(
        "exports/<int:job_id>/download/",
        exports.ExportJobDownloadView.as_view(),
        name="export-job-download",
    ),
    path(
        "workspaces/<int:workspace_id>/releases/",
        exports.WorkspaceReleasesView.as_view(),
        name="release-list",
    ),
    path("releases/<int:release_id>/", exports.ReleaseView.as_view(), name="release-detail"),
    path(
        "releases/<int:release_id>/manifest/",
        exports.ReleaseManifestView.as_view(),
        name="release-manifest",
    ),
    path(
        "releases/<int:release_id>/files/<str:format_key>/",
        exports.ReleaseFileView.as_view(),
        name="release-file",
    ),
    # Imports (annotations.api.imports).
    path(
        "workspaces/<int:workspace_id>/imports/",
        imports.WorkspaceImportsView.as_view(),
        name="import-job-list",
    ),
    path("imports/<int:job_id>/", imports.ImportJobView.as_view(), name="import-job-detail"),
    # Review work: history, adjudication, assignments, agreement (annotations.api.review).
    path("claims/<int:id>/history/", review.ClaimHistoryView.as_view(), name="claim-history"),
    path(
        "claims/<int:id>/adjudication/context/",
        review.AdjudicationContextView.as_view(),
        name="claim-adjudication-context",
    ),
    path(
        "articles/<int:id>/assignments/",
        review.ArticleAssignmentsView.as_view(),
        name="article-assignments",
    ),
    path(
        "workspaces/<int:id>/assignments/",
        review.WorkspaceAssignmentsView.as_view(),
        name="workspace-assignments",
    ),
    path(
        "workspaces/<int:id>/agreement/",
        review.WorkspaceAgreementView.as_view(),
        name="workspace-agreement",
    ),
    path("", include(router.urls)),
]
