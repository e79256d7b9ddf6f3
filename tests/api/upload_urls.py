"""The project's URLs, and a route that takes a multipart upload (as a file import does), for the
tests of the multipart parser behind the real middleware and error views (tests/api/
test_input_bounds.py). Every other write takes JSON alone."""

from __future__ import annotations

from typing import cast

from django.http import QueryDict
from django.urls import URLPattern, URLResolver, path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.api.parsers import MultiPartParser
from workbench import urls

handler400 = urls.handler400
handler403 = urls.handler403
handler404 = urls.handler404
handler500 = urls.handler500


class UploadView(APIView):
    parser_classes = (MultiPartParser,)

    def post(self, request: Request) -> Response:
        fields = {
            name: values
            for name, values in cast(QueryDict, request.data).lists()
            if all(isinstance(value, str) for value in values)
        }
        return Response(fields, status=201)


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/test-upload/", UploadView.as_view()),
    *cast(list[URLPattern | URLResolver], urls.urlpatterns),
]
