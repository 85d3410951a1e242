from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = _("Chứng chỉ")

    def ready(self) -> None:
        from credentials.services import pipeline  # noqa: F401 - registers the job handler
        from profiles import api as profiles_api

        profiles_api.personal_data_table_register(
            label="credentials.credential", covers=("learner",)
        )
