from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        # Job handlers register themselves when their module is imported.
        from notices.services import broadcasts, sending  # noqa: F401
        from profiles import api as profiles_api

        broadcasts.notices_register()
        profiles_api.personal_data_table_register(
            label="notices.notification", covers=("recipient",)
        )
        profiles_api.personal_data_table_register(
            label="notices.notificationpreference", covers=("user",)
        )
        profiles_api.personal_data_table_register(label="notices.broadcast", covers=("author",))
