from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "learnprofile.jobs"
    label = "jobs"
    verbose_name = "Durable jobs"

    def ready(self) -> None:
        # Handlers register themselves when their module is imported.
        from learnprofile.jobs import email  # noqa: F401
