"""The citizen's credentials: the list with JSON and PDF, the share link, and the switch that
hides the public page."""

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credentials import selectors
from credentials.services import sharing
from credentials.services.issuance import credential_url
from learnprofile.access import citizen_view
from profiles.api import AuthenticatedHttpRequest


@citizen_view
def my_credentials(request: AuthenticatedHttpRequest) -> HttpResponse:
    credentials = selectors.credentials_of_learner(learner_id=request.user.pk)
    return render(
        request,
        "credentials/my_credentials.html",
        {"credentials": [(c, credential_url(c.public_id)) for c in credentials]},
    )


@citizen_view
@require_POST
def credential_visibility(request: AuthenticatedHttpRequest, credential_id: UUID) -> HttpResponse:
    public = request.POST.get("public") == "1"
    if not sharing.credential_visibility_set(
        actor=request.user, credential_id=credential_id, public=public
    ):
        raise Http404
    messages.success(
        request,
        _("Trang kiểm tra công khai đã bật: ai có đường dẫn đều kiểm tra được.")
        if public
        else _("Đã ẩn trang kiểm tra công khai: chỉ bạn xem được chứng chỉ này."),
    )
    return redirect("my_credentials")
