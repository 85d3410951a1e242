from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "learnprofile.audit"
    label = "audit"
    verbose_name = "Audit log"
