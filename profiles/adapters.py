"""allauth customised through its adapter only: mail goes through the job pipeline, a new
account gets a citizen profile and the language it signed up in."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils import translation

from learnprofile.jobs.email import email_send_on_commit
from profiles.models import Language
from profiles.services import citizen_profile_ensure


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render in the current language, then queue: the web request never talks SMTP."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        full_context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
        }
        full_context.update(context)
        message = self.render_mail(template_prefix, email, full_context)
        html_body = None
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html_body = str(content)
        email_send_on_commit(
            to=list(message.to),
            subject=str(message.subject),
            body=str(message.body),
            html_body=html_body,
            from_email=message.from_email,
            headers=dict(message.extra_headers),
        )

    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: BaseForm, commit: bool = True
    ) -> AbstractBaseUser:
        language = translation.get_language() or Language.VIETNAMESE
        user.preferred_language = (  # type: ignore[attr-defined]
            language if language in Language.values else Language.VIETNAMESE
        )
        saved = super().save_user(request, user, form, commit=commit)
        if commit:
            citizen_profile_ensure(user=saved)  # type: ignore[arg-type]
        return saved
