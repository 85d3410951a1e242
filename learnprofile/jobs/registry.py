"""Job kinds and their handlers. A handler takes the job's payload and must be idempotent."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

JobHandler = Callable[[dict[str, Any]], None]

_handlers: dict[str, JobHandler] = {}


class PermanentJobError(Exception):
    """The job can never succeed (bad payload, gone object): fail it without retrying."""


class JobDeferred(Exception):
    """The job cannot run yet (quiet hours, say): put it back, due at `until`, without
    counting an attempt."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"deferred until {until.isoformat()}")
        self.until = until


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    def register(handler: JobHandler) -> JobHandler:
        if kind in _handlers and _handlers[kind] is not handler:
            raise RuntimeError(f"Two handlers for job kind {kind!r}")
        _handlers[kind] = handler
        return handler

    return register


def job_handler_get(kind: str) -> JobHandler:
    try:
        return _handlers[kind]
    except KeyError as error:
        raise PermanentJobError(f"No handler for job kind {kind!r}") from error
