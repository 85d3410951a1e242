"""Form helpers shared by the views of every app."""

from django import forms
from django.core.exceptions import ValidationError

from learnprofile.errors import DomainError


def form_error_add(form: forms.Form, error: ValidationError | DomainError) -> None:
    """Show a service's refusal on the form: field errors on their fields, the rest on top."""
    if isinstance(error, DomainError):
        form.add_error(None, str(error.message))
        return
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
