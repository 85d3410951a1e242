"""Notices: one-click unsubscribe without signing in (RFC 8058: mail clients POST to the same
URL; the signed token names one person, one kind and one channel), and the person's own
choices, kind by kind and channel by channel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from profiles.data import NoticeChannel, NoticeKind
from profiles.models import User
from profiles.services import notifications


# A mail client's one-click POST carries no CSRF token; the signed token is the credential,
# and it can only switch a notice off.
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    unsubscription = notifications.unsubscribe_read(token)
    if unsubscription is None:
        return render(request, "profiles/unsubscribe.html", {"invalid": True}, status=404)
    context = {
        "kind": NoticeKind(unsubscription.kind).label,
        "channel": NoticeChannel(unsubscription.channel).label,
    }
    if request.method == "POST":
        context["done"] = True
        context["changed"] = notifications.unsubscribe_apply(unsubscription)
    return render(request, "profiles/unsubscribe.html", context)


@login_required
def notice_preferences(request: HttpRequest) -> HttpResponse:
    """Which notices a person receives, kind by kind and channel by channel. A plain form."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        enabled = {
            (kind, channel)
            for kind in NoticeKind.values
            for channel in NoticeChannel.values
            if request.POST.get(f"{kind}-{channel}") == "on"
        }
        notifications.preferences_set(user=user, enabled=enabled)
        messages.success(request, _("Đã lưu lựa chọn nhận thông báo."))
        return redirect("notice_preferences")
    off = notifications.preferences_get(user=user)
    rows = [
        (
            kind,
            [
                (channel, f"{kind.value}-{channel.value}", (kind.value, channel.value) not in off)
                for channel in NoticeChannel
            ],
        )
        for kind in NoticeKind
    ]
    return render(
        request,
        "profiles/notice_preferences.html",
        {"rows": rows, "channels": list(NoticeChannel)},
    )
