"""Callbacks other apps register (through courses.api) to hear of decided completions, after
the transaction that decided them commits. `credentials` queues issuances with it; its hourly
sweep catches anything a failed callback missed."""

import logging
from collections.abc import Callable

from courses.data import CompletionData

logger = logging.getLogger(__name__)

CompletionListener = Callable[[list[CompletionData]], None]
_listeners: list[CompletionListener] = []


def completion_listener_add(listener: CompletionListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def completions_announce(completions: list[CompletionData]) -> None:
    """Call every listener; one that fails is logged and does not stop the others."""
    for listener in _listeners:
        try:
            listener(completions)
        except Exception:
            logger.exception("completion.listener_failed", extra={"count": len(completions)})
