"""Form helpers shared by the views of every app."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

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


def site_base_url(request: HttpRequest) -> str:
    """scheme://host of this request, for links in emails sent later by a worker."""
    return f"{request.scheme}://{request.get_host()}"
