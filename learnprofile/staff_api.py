"""The gate in front of every staff endpoint: signed in, and two-step verification on when the
person holds a staff role (as the MFA middleware requires for /staff/ pages)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions as drf_permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from profiles import api as profiles_api


class StaffWithMfa(drf_permissions.BasePermission):
    message = _("Hãy bật xác minh hai bước (TOTP) cho tài khoản nhân viên trước.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated) and not (
            profiles_api.staff_mfa_missing(user=request.user)
        )


class StaffApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated, StaffWithMfa]
