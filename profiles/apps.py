from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = _("Người học, tổ chức và địa bàn")

    def ready(self) -> None:
        # Job handlers register themselves when their module is imported.
        from profiles.services.privacy import erasure, export  # noqa: F401
