"""The article's live feed for polling, when a WebSocket cannot get through (a proxy that
refuses the upgrade): the same events the socket sends (annotations.selectors_live)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import selectors_live
from annotations.api.views import _valid, me
from annotations.models import LiveEvent

BIGINT = 2**63 - 1


class AfterSerializer(serializers.Serializer[Any]):
    after = serializers.IntegerField(min_value=0, max_value=BIGINT, required=False, default=0)


class LiveEventSerializer(serializers.Serializer[Any]):
    seq = serializers.IntegerField(help_text="The event's number in the article's feed.")
    kind = serializers.ChoiceField(choices=LiveEvent.Kind.choices)
    claim = serializers.IntegerField(allow_null=True, help_text="The claim it is about.")
    comment = serializers.IntegerField(allow_null=True)
    change = serializers.CharField(
        allow_null=True, help_text="For a claim: the kind of its history event (null: created)."
    )
    actor = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()


class FeedSerializer(serializers.Serializer[Any]):
    events = LiveEventSerializer(many=True)
    cursor = serializers.IntegerField(help_text="Ask `after` this number next time.")
    more = serializers.BooleanField(help_text="More events wait: ask again at once.")


class ArticleEventsView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("after", int, description="The last number seen (0: from the start).")
        ],
        responses=FeedSerializer,
    )
    def get(self, request: Request, article_id: int) -> Response:
        """What changed on the article after event `after`, as you may see it: the feed the
        article page's WebSocket sends, for polling where sockets are blocked."""
        data = _valid(AfterSerializer, request.query_params)
        page = selectors_live.events_after(
            user=me(request), article_id=article_id, after=data["after"]
        )
        return Response({"events": page.events, "cursor": page.cursor, "more": page.more})
