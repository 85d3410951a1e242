from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = _("Chứng chỉ")

    def ready(self) -> None:
        from courses import api as courses_api
        from credentials.services import pipeline  # registers the job handler too
        from profiles import api as profiles_api

        courses_api.completion_listener_register(pipeline.completions_queue)
        from credentials.notices import notices_register

        notices_register()

        profiles_api.personal_data_table_register(
            label="credentials.credential", covers=("learner",)
        )
        profiles_api.personal_data_table_register(label="credentials.issuance", covers=("learner",))
