"""Notices: one-click unsubscribe without signing in (RFC 8058: mail clients POST to the same
URL; the signed token names one person, one kind and one channel), the person's own choices,
kind by kind and channel by channel, and the national administrators' view of the outbox."""

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from learnprofile.access import citizen_view, public_view, staff_view
from learnprofile.audit.services import audit_record
from learnprofile.errors import DomainError
from learnprofile.formatting import number_for_people
from notices import channels
from notices.data import NoticeChannel, NoticeKind
from notices.models import Notification
from notices.services import preferences
from notices.services.outbox import notifications_retry, outbox_counts, outbox_failures
from profiles.api import AuthenticatedHttpRequest


# A mail client's one-click POST carries no CSRF token; the signed token is the credential,
# and it can only switch a notice off.
@public_view
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    unsubscription = preferences.unsubscribe_read(token)
    if unsubscription is None:
        return render(request, "notices/unsubscribe.html", {"invalid": True}, status=404)
    context: dict[str, object] = {
        "kind": NoticeKind(unsubscription.kind).label,
        "channel": NoticeChannel(unsubscription.channel).label,
    }
    if request.method == "POST":
        context["done"] = True
        context["changed"] = preferences.unsubscribe_apply(unsubscription)
    return render(request, "notices/unsubscribe.html", context)


@citizen_view
def notice_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Which notices a person receives, kind by kind, on the channels offered here (email,
    and SMS or Zalo only when they are switched on). A plain form; a channel that is off,
    posted anyway, is refused and nothing changes."""
    user = request.user
    available = channels.channels_available()
    status = 200
    if request.method == "POST":
        enabled = {
            (kind, channel)
            for kind in NoticeKind.values
            for channel in NoticeChannel.values
            if request.POST.get(f"{kind}-{channel}") == "on"
        }
        try:
            preferences.preferences_set(user=user, enabled=enabled)
        except DomainError as error:
            messages.error(request, str(error.message))
            status = 400
        else:
            messages.success(request, _("Đã lưu lựa chọn nhận thông báo."))
            return redirect("notice_preferences")
    off = preferences.preferences_get(user=user)
    rows = [
        (
            kind,
            [
                (channel, f"{kind.value}-{channel.value}", (kind.value, channel.value) not in off)
                for channel in available
            ],
        )
        for kind in NoticeKind
    ]
    return render(
        request,
        "notices/notice_preferences.html",
        {
            "rows": rows,
            "channels": available,
            "has_text_channels": any(channel != NoticeChannel.EMAIL for channel in available),
        },
        status=status,
    )


def _national_admin(request: HttpRequest) -> None:
    if not (request.user.is_authenticated and request.user.is_staff):
        raise Http404


@staff_view
def outbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """National administrators: the outbox by kind and state, failures with their reason,
    and a retry. Under /staff/ (MFA required)."""
    _national_admin(request)
    counts = outbox_counts()
    statuses = list(Notification.Status)
    rows = [
        (kind, [counts.get(kind.value, {}).get(status.value, 0) for status in statuses])
        for kind in NoticeKind
    ]
    kind = request.GET.get("kind", "")
    if kind not in NoticeKind.values:
        kind = ""
    available = channels.channels_available()
    channel = request.GET.get("channel", "")
    if channel not in {option.value for option in available}:
        channel = ""
    return render(
        request,
        "notices/staff/outbox.html",
        {
            "rows": rows,
            "statuses": statuses,
            "failures": outbox_failures(kind=kind, channel=channel),
            "kind": kind,
            "kinds": list(NoticeKind),
            "channel": channel,
            # A channel filter only when there is more than email to choose from.
            "channels": available if len(available) > 1 else [],
        },
    )


@staff_view
@require_POST
def outbox_retry(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Retry one failed notice (`notice`: its public id) or every failed one of a kind."""
    _national_admin(request)
    kind = request.POST.get("kind", "")
    notice = request.POST.get("notice", "")
    ids = None
    if kind and kind not in NoticeKind.values:
        ids = []  # an unknown kind retries nothing, not everything
    if notice:
        try:
            ids = list(
                Notification.objects.filter(public_id=UUID(notice)).values_list("id", flat=True)
            )
        except ValueError:
            ids = []
    retried = notifications_retry(ids=ids, kind=kind)
    audit_record(
        actor=request.user,
        action="notifications.retried",
        object_type="notification",
        object_id=notice or kind or "all",
        details={"count": retried},
    )
    messages.success(
        request,
        _("Đã đưa %(count)s thông báo vào hàng đợi gửi lại.")
        % {"count": number_for_people(retried)},
    )
    return redirect("outbox")
