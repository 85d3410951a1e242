"""A URL conf for tests only: the project's routes plus views that fail, under /api/ and
outside it, to see what a server error and a method a plain Django view refuses answer."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from learnprofile import urls as project_urls


class FailingApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> HttpResponse:
        raise RuntimeError("a bug in an API view")


def failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a plain view")


@require_GET
def get_only_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("api/v1/test-failure/", FailingApi.as_view()),
    path("api/v1/test-plain-failure/", failing_view),
    path("api/v1/test-get-only/", get_only_view),
    path("test-failure/", failing_view),
    *project_urls.urlpatterns,
]

handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
