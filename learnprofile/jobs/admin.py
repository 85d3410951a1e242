from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from learnprofile.jobs.models import Job
from learnprofile.jobs.services import job_retry


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "attempts", "available_at", "created_at", "finished_at"]
    list_filter = ["status", "kind", "queue"]
    search_fields = ["id", "dedupe_key"]
    readonly_fields = [field.name for field in Job._meta.fields]
    actions = ["retry_failed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Thử lại các việc đã thất bại"))
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        retried = sum(1 for job in queryset if job_retry(job_id=job.id))
        self.message_user(
            request, _("Đã xếp lại %(count)d việc.") % {"count": retried}, messages.INFO
        )
