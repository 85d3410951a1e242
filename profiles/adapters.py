"""allauth customised through its adapter only: mail goes through the job pipeline, a new
account gets a citizen profile and the language it signed up in, an e-mail address is taken in
its one canonical form (decision 0009)."""

import unicodedata
from typing import Any

from allauth.account import forms as allauth_forms
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend
from django.contrib import auth
from django.contrib.auth.base_user import AbstractBaseUser
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils import translation

from learnprofile.jobs.email import email_send_on_commit
from learnprofile.text import email_canonical
from profiles.models import Language
from profiles.services import citizen_profile_ensure

# Vietnamese tone marks (grave, acute, tilde, hook above, dot below): a keyboard in "Unicode
# composite" mode (Unikey, VNI) types them as combining marks after a precomposed vowel.
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _vietnamese_composite(text: str) -> str:
    """`text` (NFC) as a Vietnamese keyboard in composite mode types it: each tone mark
    separate, after the vowel with its other marks precomposed ("ệ" -> "ê" + U+0323)."""
    typed = []
    for char in text:
        marks = unicodedata.normalize("NFD", char)
        tones = "".join(mark for mark in marks if mark in _TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(m for m in marks if m not in _TONE_MARKS))
        typed.append(base + tones)
    return "".join(typed)


def _passwords_as_typed_before_nfc(password: str) -> list[str]:
    """The other forms a password equal to `password` (NFC) may have been set in before
    passwords were normalised (decision 0009): NFD (macOS) and Vietnamese composite."""
    forms = [unicodedata.normalize("NFD", password), _vietnamese_composite(password)]
    return [
        form for index, form in enumerate(forms) if form != password and form not in forms[:index]
    ]


class LoginForm(allauth_forms.LoginForm):
    """allauth's sign-in form, the address taken in its canonical form (decision 0009): the
    account is found by either form, and the address allauth then checks for verification is
    the one stored (ACCOUNT_FORMS["login"])."""

    def clean_login(self) -> str:
        return email_canonical(super().clean_login())


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        """The address in its canonical form (Unicode domain, lower case, NFC), so signing up,
        adding an address or asking for a password reset with the punycode form of an
        address finds the account that holds its Unicode form, and the other way round."""
        return str(super().clean_email(email_canonical(email)))

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        """Sign in with the address in either form. A password set before passwords were
        normalised to NFC (RFC 8265 OpaqueString), typed decomposed, still signs in: when the
        NFC password fails, its NFD and Vietnamese composite forms are tried (without counting
        further failures), and a match is re-hashed in NFC, so it is tried once."""
        if credentials.get("email"):
            credentials["email"] = email_canonical(credentials["email"])
        user: AbstractBaseUser | None = super().authenticate(request, **credentials)
        password = credentials.get("password") or ""
        if user is not None or password.isascii():
            return user
        for typed in _passwords_as_typed_before_nfc(password):
            AuthenticationBackend.unstash_authenticated_user()
            user = auth.authenticate(request, **{**credentials, "password": typed})
            # allauth's backend stashes an inactive account whose password matched.
            user = user or AuthenticationBackend.unstash_authenticated_user()
            if user is not None:
                user.set_password(password)
                user.save(update_fields=["password"])
                self._rollback_login_failed_rl_usage()
                return user
        return None

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
