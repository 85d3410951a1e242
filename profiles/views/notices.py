"""One-click unsubscribe from a notice, without signing in (RFC 8058: mail clients POST to
the same URL). The signed token names one person, one kind and one channel."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from profiles.data import NoticeChannel, NoticeKind
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
