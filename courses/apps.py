from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Khóa học")

    def ready(self) -> None:
        from courses import notices, selectors
        from courses.services import attendance, enrollment  # noqa: F401 - job handlers
        from profiles import api as profiles_api

        profiles_api.learner_relation_register(selectors.learner_is_enrolled_at)
        notices.notices_register()
        profiles_api.personal_data_table_register(label="courses.enrollment", covers=("learner",))
        profiles_api.personal_data_table_register(
            label="courses.attendancemark", covers=("enrollment__learner",)
        )
        profiles_api.personal_data_table_register(
            label="courses.walkinlearner", covers=("learner",), exclude=("claim_code_hash",)
        )
        profiles_api.personal_data_table_register(label="courses.walkinclaim", covers=("claimant",))
