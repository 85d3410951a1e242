from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from profiles.permissions import has_privileged_role


def roles(request: HttpRequest) -> dict[str, Any]:
    """`is_privileged` for the navigation; lazy, so pages that don't show it pay nothing."""
    return {"is_privileged": SimpleLazyObject(lambda: has_privileged_role(request.user))}
