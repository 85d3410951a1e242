from django.urls import path

from notices.views import broadcasts, notices

urlpatterns = [
    path("unsubscribe/<str:token>/", notices.unsubscribe, name="unsubscribe"),
    path("profile/notices/", notices.notice_preferences, name="notice_preferences"),
    # National administrators: the notice outbox
    path("staff/notices/", notices.outbox, name="outbox"),
    path("staff/notices/retry/", notices.outbox_retry, name="outbox_retry"),
    # Regional administrators: messages to the citizens of their area
    path("staff/broadcasts/", broadcasts.broadcast_list, name="broadcast_list"),
    path("staff/broadcasts/new/", broadcasts.broadcast_new, name="broadcast_new"),
    path(
        "staff/broadcasts/<uuid:broadcast_id>/",
        broadcasts.broadcast_detail,
        name="broadcast_detail",
    ),
    path(
        "staff/broadcasts/<uuid:broadcast_id>/send/",
        broadcasts.broadcast_send,
        name="broadcast_send",
    ),
    path(
        "staff/broadcasts/<uuid:broadcast_id>/stop/",
        broadcasts.broadcast_stop,
        name="broadcast_stop",
    ),
]
