from django.apps import AppConfig
from django.core import checks


class LearnProfileConfig(AppConfig):
    name = "learnprofile"
    verbose_name = "LearnProfile"

    def ready(self) -> None:
        from learnprofile.checks import deployment_check

        # `check --deploy` names a weak, repeated or published secret and a wildcard host;
        # the production settings refuse the same at import (learnprofile/checks.py).
        checks.register(deployment_check, checks.Tags.security, deploy=True)
