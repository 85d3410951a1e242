"""The Celery application, plus the worker heartbeat that /healthz reads.

Tasks are only wake-ups for rows in PostgreSQL (see learnprofile/jobs); the settings that
make that safe (JSON only, acks_late, reject_on_worker_lost, prefetch 1, time limits, a
visibility timeout longer than any time limit) are in settings/base.py under CELERY_.
"""

import os
import time
from typing import Any

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnprofile.settings.local")

app = Celery("learnprofile")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class HeartbeatStep(bootsteps.StartStopStep):
    """Writes a timestamp to Redis every few seconds while the worker consumes."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.timer_entry: Any = None

    def start(self, worker: Any) -> None:
        from django.conf import settings

        self.beat()
        self.timer_entry = worker.timer.call_repeatedly(
            settings.WORKER_HEARTBEAT_EVERY_SECONDS, self.beat, priority=10
        )

    def stop(self, worker: Any) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()

    def beat(self) -> None:
        from learnprofile.health import worker_heartbeat_write

        worker_heartbeat_write(time.time())


app.steps["worker"].add(HeartbeatStep)
