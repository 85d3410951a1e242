from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        # Job handlers register themselves when their module is imported.
        from notices import api as notices_api
        from notices.data import NoticeKind
        from notices.services import broadcasts, sending  # noqa: F401
        from profiles import api as profiles_api

        # The kinds of notices' own events; courses and credentials register theirs in
        # their ready() through the same notices.api entry point.
        notices_api.notice_kind_register(
            NoticeKind.BROADCAST,
            render=broadcasts.broadcast_notice_render,
            applies=broadcasts.broadcast_notices_still_apply,
        )
        profiles_api.personal_data_table_register(
            label="notices.notification", covers=("recipient",)
        )
        profiles_api.personal_data_table_register(
            label="notices.notificationpreference", covers=("user",)
        )
        profiles_api.personal_data_table_register(label="notices.broadcast", covers=("author",))
