"""Frozen dataclasses that courses.api returns to other apps (none yet)."""
