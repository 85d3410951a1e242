"""Job kinds and their handlers. A handler takes the job's payload and must be idempotent."""

from collections.abc import Callable
from typing import Any

JobHandler = Callable[[dict[str, Any]], None]

_handlers: dict[str, JobHandler] = {}


class PermanentJobError(Exception):
    """The job can never succeed (bad payload, gone object): fail it without retrying."""


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
