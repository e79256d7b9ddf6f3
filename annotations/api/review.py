"""REST views of the review work: queues, assignments, a claim's history, what an adjudicator
sees, and the agreement figures. Thin, like api.views: parse, call a selector or a service, shape."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import queues, selectors, selectors_review
from annotations.api import review_serializers as rs
from annotations.api.schema import AutoSchema
from annotations.api.views import _valid, me
from annotations.models import Assignment, Claim, ClaimEvent, Role
from annotations.services import assignments

NO_FILTERS: list[Any] = []


def _query(request: Request, serializer: Any) -> dict[str, Any]:
    # A plain dict: DRF reads an absent boolean in a QueryDict as False, not as "not given".
    return _valid(serializer, request.query_params.dict())


# --- Queues -------------------------------------------------------------------------------------


QUEUE_PARAMETERS = [
    OpenApiParameter(name, type_, description=field.help_text or "")
    for name, type_, field in (
        ("workspace", int, rs.QueueQuerySerializer().fields["workspace"]),
        ("article", int, rs.QueueQuerySerializer().fields["article"]),
        ("kind", str, rs.QueueQuerySerializer().fields["kind"]),
        ("reviewer", str, rs.QueueQuerySerializer().fields["reviewer"]),
        ("verdict", str, rs.QueueQuerySerializer().fields["verdict"]),
        ("language", str, rs.QueueQuerySerializer().fields["language"]),
        ("overdue", bool, rs.QueueQuerySerializer().fields["overdue"]),
        ("ordering", str, rs.QueueQuerySerializer().fields["ordering"]),
    )
]


class _QueueSchema(AutoSchema):
    """The overview (`list`) is one object, not a page: no paging parameters for it."""

    def _get_pagination_parameters(self) -> list[dict[str, Any]]:
        if getattr(self.view, "action", None) == "list":
            return []
        return super()._get_pagination_parameters()  # type: ignore[no-untyped-call,no-any-return]


class QueueViewSet(viewsets.GenericViewSet[Any]):
    """The review queues of the signed-in user (see annotations.queues for who sees what)."""

    lookup_value_regex = "[a-z_]+"
    lookup_url_kwarg = "name"
    filter_backends = NO_FILTERS
    queryset = Claim.objects.none()  # for the schema only; reads go through annotations.queues
    serializer_class = rs.QueueItemSerializer
    schema = _QueueSchema()

    @extend_schema(responses=rs.QueueOverviewSerializer)
    def list(self, request: Request) -> Response:
        """How many items wait in each queue, for each of my workspaces, and in total."""
        rows = queues.queue_counts(user=me(request))
        totals = {name: sum(row["counts"][name] or 0 for row in rows) for name in queues.QUEUES} | {
            "overdue": sum(row["overdue"] or 0 for row in rows)
        }
        body = {"workspaces": rs.QueueCountsSerializer(rows, many=True).data, "totals": totals}
        return Response(body)

    @extend_schema(
        operation_id="v1_queues_items",
        parameters=QUEUE_PARAMETERS,
        responses=rs.QUEUE_ITEM_SCHEMA,
    )
    def retrieve(self, request: Request, name: str) -> Response:
        """One queue's items, oldest first, paginated; `workspace` narrows it to one workspace."""
        queues.get_queue(name)  # an unknown name is a 404 before anything else
        query = _query(request, rs.QueueQuerySerializer)
        items = queues.queue_items(user=me(request), name=name, workspace_id=query.get("workspace"))
        page = self.paginate_queryset(queues.filter_queue(items, name, query, user=me(request)))
        shown = queues.present_items(user=me(request), name=name, items=page or [])
        return self.get_paginated_response(rs.QueueItemSerializer(shown, many=True).data)


# --- Claims: history and the adjudicator's view -------------------------------------------------


class ClaimHistoryView(GenericAPIView[Any]):
    filter_backends = NO_FILTERS
    queryset = ClaimEvent.objects.none()  # for the schema and the browsable API only
    serializer_class = rs.ClaimEventSerializer

    @extend_schema(responses=rs.ClaimEventSerializer(many=True))
    def get(self, request: Request, id: int) -> Response:
        """Every change to the claim, oldest first: who, when, before and after."""
        claim = selectors.claim_get(user=me(request), claim_id=id)
        events = selectors_review.claim_history(user=me(request), claim=claim)
        page = self.paginate_queryset(events)  # type: ignore[arg-type]  # DRF pages lists too
        names = selectors.verdict_names(workspace_id=claim.workspace_id)
        shown = rs.ClaimEventSerializer(page, many=True, context={"verdicts": names})
        return self.get_paginated_response(shown.data)


class AdjudicationContextView(GenericAPIView[Any]):
    filter_backends = NO_FILTERS
    queryset = Claim.objects.none()  # for the schema and the browsable API only
    pagination_class = None
    serializer_class = rs.AdjudicationContextSerializer

    @extend_schema(responses=rs.AdjudicationContextSerializer)
    def get(self, request: Request, id: int) -> Response:
        """For adjudicators: every assessment, rationale and source side by side, each
        reviewer's span, the disagreements and the earlier decisions."""
        context = selectors_review.adjudication_context(user=me(request), claim_id=id)
        return Response(rs.AdjudicationContextSerializer(context).data)


# --- Assignments --------------------------------------------------------------------------------


class ArticleAssignmentsView(GenericAPIView[Any]):
    filter_backends = NO_FILTERS
    queryset = Assignment.objects.none()  # for the schema and the browsable API only
    serializer_class = rs.AssignmentSerializer

    @extend_schema(responses=rs.AssignmentSerializer(many=True))
    def get(self, request: Request, id: int) -> Response:
        """Who the article is assigned to."""
        article = selectors.article_get(user=me(request), article_id=id)
        assigned = selectors_review.assignment_list(
            user=me(request), workspace_id=article.workspace_id, article_id=article.pk
        )
        page = self.paginate_queryset(assigned)
        return self.get_paginated_response(rs.AssignmentSerializer(page, many=True).data)

    @extend_schema(
        request=rs.AssignInputSerializer,
        responses={201: rs.AssignmentOutcomeSerializer, 200: rs.AssignmentOutcomeSerializer},
    )
    def post(self, request: Request, id: int) -> Response:
        """Editors: assign to `users` (usernames), or `auto`. 201 when someone was assigned."""
        article = selectors.article_get(user=me(request), article_id=id, role=Role.EDITOR)
        data = _valid(rs.AssignInputSerializer, request.data)
        outcome = assignments.article_assign(
            user=me(request),
            article=article,
            usernames=data["users"],
            auto=data["auto"],
            due_at=data["due_at"],
        )
        code = status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK
        return Response(rs.AssignmentOutcomeSerializer(outcome).data, status=code)


class WorkspaceAssignmentsView(GenericAPIView[Any]):
    filter_backends = NO_FILTERS
    queryset = Assignment.objects.none()  # for the schema and the browsable API only
    serializer_class = rs.AssignmentSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("overdue", bool, description="Only overdue (or only not overdue)."),
            OpenApiParameter("completed", bool),
            OpenApiParameter("user", str, description="A member's username."),
            OpenApiParameter("article", int),
        ],
        responses=rs.AssignmentSerializer(many=True),
    )
    def get(self, request: Request, id: int) -> Response:
        """The workspace's assignments, soonest due first."""
        query = _query(request, rs.AssignmentQuerySerializer)
        assigned = selectors_review.assignment_list(
            user=me(request),
            workspace_id=id,
            overdue=query.get("overdue"),
            completed=query.get("completed"),
            username=query.get("user", ""),
            article_id=query.get("article"),
        )
        page = self.paginate_queryset(assigned)
        return self.get_paginated_response(rs.AssignmentSerializer(page, many=True).data)


# --- Agreement ----------------------------------------------------------------------------------


class WorkspaceAgreementView(GenericAPIView[Any]):
    filter_backends = NO_FILTERS
    queryset = Claim.objects.none()  # for the schema and the browsable API only
    pagination_class = None
    serializer_class = rs.AgreementSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("article", int, description="One article's claims."),
            OpenApiParameter(
                "reviewer", str, description="Claims this reviewer assessed (username)."
            ),
            OpenApiParameter("from", str, description="Assessed from (date or date-time)."),
            OpenApiParameter("to", str, description="Assessed up to (a date: inclusive)."),
        ],
        responses=rs.AgreementSerializer,
    )
    def get(self, request: Request, id: int) -> Response:
        """Krippendorff's alpha, Cohen's kappa per pair, percent and span agreement."""
        selectors.workspace_get(user=me(request), workspace_id=id)  # 404 before any 400
        query = _query(request, rs.AgreementQuerySerializer)
        figures = selectors_review.agreement(
            user=me(request),
            workspace_id=id,
            article_id=query.get("article"),
            reviewer=query.get("reviewer", ""),
            date_from=query.get("from"),
            date_to=query.get("to"),
        )
        return Response(rs.AgreementSerializer(figures).data)


__all__ = [
    "AdjudicationContextView",
    "ArticleAssignmentsView",
    "ClaimHistoryView",
    "QueueViewSet",
    "WorkspaceAgreementView",
    "WorkspaceAssignmentsView",
]
