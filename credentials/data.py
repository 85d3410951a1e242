"""Frozen dataclasses that credentials.api returns to other apps (none yet)."""
