from django.apps import AppConfig


class LearnProfileConfig(AppConfig):
    name = "learnprofile"
    verbose_name = "LearnProfile"
