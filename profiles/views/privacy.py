"""My data: consent, export and deletion (Law 91/2025, Decree 356/2025)."""

from uuid import UUID

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learnprofile.access import citizen_view, public_view
from learnprofile.errors import DomainError
from profiles import selectors
from profiles.api import AuthenticatedHttpRequest
from profiles.learning_forms import ConsentForm, DeletionConfirmForm
from profiles.models import ConsentRecord, DataRequest, PublicProfile
from profiles.services.privacy.consent import consent_set
from profiles.services.privacy.erasure import account_deletion_cancel, account_deletion_request
from profiles.services.privacy.export import data_export_request
from profiles.services.privacy.public_profile import public_profile_update


@citizen_view
def privacy_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    current = selectors.consents_current(user_id=user.pk)
    return render(
        request,
        "profiles/privacy/home.html",
        {
            "consent_form": ConsentForm(current=current),
            "consents": current,
            "requests": selectors.data_requests_of(user=user),
            "open_deletion": selectors.data_requests_of(user=user)
            .filter(kind=DataRequest.Kind.DELETION, status=DataRequest.Status.SCHEDULED)
            .first(),
            "notice_version": settings.PRIVACY_NOTICE_VERSION,
        },
    )


@public_view
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "profiles/privacy/notice.html",
        {
            "notice_version": settings.PRIVACY_NOTICE_VERSION,
            "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
            "keep_days": settings.DATA_EXPORT_KEEP_DAYS,
        },
    )


@citizen_view
@require_POST
def consents_update(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each purpose's box as ticked; only changes are recorded. Withdrawing the public
    profile consent also switches the public page off."""
    user = request.user
    form = ConsentForm(request.POST, current=selectors.consents_current(user_id=user.pk))
    form.is_valid()  # booleans: always valid
    for purpose in ConsentRecord.Purpose.values:
        is_granted = bool(form.cleaned_data.get(purpose))
        if purpose == ConsentRecord.Purpose.PUBLIC_PROFILE:
            public = PublicProfile.objects.filter(user=user).first()
            if public is not None and public.is_enabled != is_granted and not is_granted:
                public_profile_update(
                    actor=user,
                    is_enabled=False,
                    display_name=public.display_name,
                    headline=public.headline,
                )
                continue
        consent_set(actor=user, purpose=purpose, is_granted=is_granted)
    messages.success(request, _("Đã lưu lựa chọn về dữ liệu của bạn."))
    return redirect("privacy_home")


@citizen_view
@require_POST
def export_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    data_export_request(actor=user)
    messages.success(
        request,
        _("Đã nhận yêu cầu. Bản sao dữ liệu đang được chuẩn bị; chúng tôi sẽ gửi email khi xong."),
    )
    return redirect("privacy_home")


@citizen_view
def data_request_status(request: AuthenticatedHttpRequest, request_id: UUID) -> HttpResponse:
    """One request's row; htmx polls it while an export is prepared (no JS: reload)."""
    data_request = DataRequest.objects.filter(public_id=request_id, user=request.user).first()
    if data_request is None:
        raise Http404
    return render(request, "profiles/privacy/_request.html", {"data_request": data_request})


@citizen_view
def export_download(request: AuthenticatedHttpRequest, request_id: UUID) -> HttpResponseBase:
    data_request = DataRequest.objects.filter(
        public_id=request_id, user=request.user, kind=DataRequest.Kind.EXPORT
    ).first()
    if data_request is None:
        raise Http404
    is_available = (
        data_request.status == DataRequest.Status.READY
        and data_request.file
        and data_request.file_expires_at is not None
        and data_request.file_expires_at > timezone.now()
    )
    if not is_available:
        return render(
            request, "profiles/privacy/export_gone.html", {"data_request": data_request}, status=410
        )
    response = FileResponse(
        data_request.file.open("rb"),
        as_attachment=True,
        filename=f"learnprofile-{timezone.localdate():%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@citizen_view
@reauthentication_required(allow_get=True)
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask to delete the account: only right after entering the password again."""
    user = request.user
    if request.method == "POST":
        form = DeletionConfirmForm(request.POST)
        if form.is_valid():
            try:
                account_deletion_request(actor=user)
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(
                    request,
                    _(
                        "Đã nhận yêu cầu xóa tài khoản. Bạn có %(days)d ngày để đổi ý trước khi "
                        "dữ liệu bị xóa."
                    )
                    % {"days": settings.ACCOUNT_DELETION_GRACE_DAYS},
                )
            return redirect("privacy_home")
    else:
        form = DeletionConfirmForm()
    return render(
        request,
        "profiles/privacy/delete.html",
        {"form": form, "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS},
    )


@citizen_view
@require_POST
def account_delete_cancel(request: AuthenticatedHttpRequest, request_id: UUID) -> HttpResponse:
    user = request.user
    try:
        account_deletion_cancel(actor=user, request_id=request_id)
    except DomainError as error:
        raise Http404 from error
    messages.success(request, _("Đã hủy yêu cầu xóa tài khoản. Tài khoản của bạn được giữ nguyên."))
    return redirect("privacy_home")
