"""Regional administrators write to the consenting citizens of their area: a draft, its
preview in both languages with the number of people it reaches, then sending, throttled, with
its progress and a stop button. Under /staff/ (MFA required)."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learnprofile.access import staff_view
from learnprofile.errors import DomainError, NotFound
from learnprofile.formatting import number_for_people
from learnprofile.forms import form_error_add
from notices import channels
from notices.forms import BroadcastForm
from notices.models import Broadcast
from notices.services import broadcasts
from profiles import api as profiles_api
from profiles.api import AuthenticatedHttpRequest
from profiles.data import AdministrativeUnitData


def _units(request: AuthenticatedHttpRequest) -> list[AdministrativeUnitData]:
    units = broadcasts.broadcast_units(user=request.user)
    if not units:
        raise Http404  # not a regional administrator
    return units


def _broadcast(request: AuthenticatedHttpRequest, broadcast_id: UUID) -> Broadcast:
    try:
        return broadcasts.broadcast_get(user=request.user, public_id=broadcast_id)
    except NotFound as error:
        raise Http404 from error


@staff_view
def broadcast_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _units(request)
    return render(
        request,
        "notices/staff/broadcasts.html",
        {"broadcasts": broadcasts.broadcasts_of(user=request.user)[:50]},
    )


@staff_view
def broadcast_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = BroadcastForm(request.POST or None, units=_units(request))
    if request.method == "POST" and form.is_valid():
        user = request.user
        data = form.cleaned_data
        try:
            broadcast = broadcasts.broadcast_create(
                actor=user,
                unit_id=data["unit"],
                channel=data["channel"],
                subject_vi=data["subject_vi"],
                body_vi=data["body_vi"],
                subject_en=data["subject_en"],
                body_en=data["body_en"],
                per_minute=data["per_minute"],
            )
        except (ValidationError, DomainError) as error:
            form_error_add(form, error)
        else:
            return redirect("broadcast_detail", broadcast_id=broadcast.public_id)
    return render(
        request,
        "notices/staff/broadcast_form.html",
        {"form": form},
        status=422 if form.is_bound else 200,
    )


@staff_view
def broadcast_detail(request: AuthenticatedHttpRequest, broadcast_id: UUID) -> HttpResponse:
    broadcast = _broadcast(request, broadcast_id)
    is_draft = broadcast.status == Broadcast.Status.DRAFT
    count = broadcasts.broadcast_count(broadcast) if is_draft else broadcast.recipient_count
    return render(
        request,
        "notices/staff/broadcast_detail.html",
        {
            "broadcast": broadcast,
            "unit": profiles_api.administrative_unit_get(unit_id=broadcast.unit_id),
            "is_draft": is_draft,
            "count": count or 0,
            "minutes": -(-(count or 0) // broadcast.per_minute),
            "previews": [
                (_("Tiếng Việt"), broadcasts.broadcast_message(broadcast, language="vi")),
                (_("Tiếng Anh"), broadcasts.broadcast_message(broadcast, language="en")),
            ],
            "progress": broadcasts.broadcast_progress(broadcast) if not is_draft else {},
            "is_channel_available": channels.channel_is_available(broadcast.channel),
        },
    )


@staff_view
@require_POST
def broadcast_send(request: AuthenticatedHttpRequest, broadcast_id: UUID) -> HttpResponse:
    broadcast = _broadcast(request, broadcast_id)
    user = request.user
    try:
        broadcasts.broadcast_queue(actor=user, broadcast=broadcast)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Đã bắt đầu gửi, dần dần theo nhịp đã chọn."))
    return redirect("broadcast_detail", broadcast_id=broadcast.public_id)


@staff_view
@require_POST
def broadcast_stop(request: AuthenticatedHttpRequest, broadcast_id: UUID) -> HttpResponse:
    broadcast = _broadcast(request, broadcast_id)
    user = request.user
    unsent = broadcasts.broadcast_stop(actor=user, broadcast=broadcast)
    messages.success(
        request,
        _("Đã dừng; %(count)s tin chưa gửi sẽ không gửi nữa.")
        % {"count": number_for_people(unsent)},
    )
    return redirect("broadcast_detail", broadcast_id=broadcast.public_id)
