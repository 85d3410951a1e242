"""Form helpers shared by the views of every app."""

from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError

from learnprofile.errors import DomainError

FieldKind = TypeVar("FieldKind", bound=forms.Field)


def form_error_add(form: forms.BaseForm, error: ValidationError | DomainError) -> None:
    """Show a service's refusal on the form: field errors on their fields, the rest on top."""
    if isinstance(error, DomainError):
        form.add_error(None, str(error.message))
        return
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def form_field(form: forms.BaseForm, name: str, kind: type[FieldKind]) -> FieldKind:
    """The form's own copy of its field `name`, typed as `kind` (`form.fields` holds plain
    `Field`s, so `.choices` or `.queryset` need the field's class). Raises TypeError if the
    field is not a `kind`: a form declared differently from what its code expects."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(
            f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}"
        )
    return field
