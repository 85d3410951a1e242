"""A URL conf for tests/test_staff_gate.py: the real one plus staff routes built wrongly."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from learnprofile.access import StaffApi
from learnprofile.urls import urlpatterns as real_urlpatterns


def rogue_page(request: HttpRequest) -> HttpResponse:
    """A staff page outside /staff/ without `staff_view`: the walk must find it."""
    return HttpResponse("the verification queue")


class RogueApi(APIView):
    """A staff endpoint on a plain APIView: the walk must find it."""

    def get(self, request: Request) -> Response:
        return Response({"records": []})


class OpenStaffApi(StaffApi):
    """A StaffApi whose subclass tries to open the door."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"records": []})


urlpatterns = [
    path("manage-rogue/verifications/", rogue_page, name="rogue_page"),
    path("api/v1/rogue/", RogueApi.as_view(), name="rogue_api"),
    path("api/v1/rogue-open-staff/", OpenStaffApi.as_view(), name="rogue_open_staff_api"),
    *real_urlpatterns,
]
