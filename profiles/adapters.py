"""allauth customised through its adapter and two forms: mail goes through the job pipeline, a new
account gets a citizen profile and the language it signed up in, an e-mail address is taken in
its one canonical form (decision 0009), failed sign-ins slow down the address they come from,
never lock the account (decision 0010)."""

import time
import unicodedata
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account import forms as allauth_forms
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context as allauth_context
from allauth.mfa.adapter import get_adapter as mfa_adapter
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from learnprofile.attempts import (
    Attempt,
    AttemptsExhausted,
    Limit,
    attempt_start,
    attempts_forget,
    wait_for_people,
)
from learnprofile.client_address import address_group, client_address
from learnprofile.jobs.email import email_send_on_commit
from learnprofile.text import email_canonical, typed_code_normalise
from profiles.models import Language, User
from profiles.services import citizen_profile_ensure

# Failed sign-ins (decision 0010). Per (account, address): five free, then 1 s, 2 s, 4 s, ... up
# to 15 minutes between tries, forgotten a day after the last failure or at the next success
# from there. Nobody elsewhere can fill this counter, so the owner signing in from another
# device or network is never held back by it.
SIGN_IN_PER_ACCOUNT_AND_ADDRESS = Limit(
    name="sign-in:account-address",
    free_failures=5,
    max_delay_seconds=15 * 60,
    window_seconds=24 * 3600,
    forget_on_success=True,
)
# Per address, across accounts (one guesser trying many accounts): twenty free in ten minutes,
# then up to a minute between tries. Generous: many people may share one public address
# (mobile carriers' NAT, a school's network).
SIGN_IN_PER_ADDRESS = Limit(
    name="sign-in:address", free_failures=20, max_delay_seconds=60, window_seconds=10 * 60
)


def sign_in_counters(*, account: str, address: str | None) -> list[tuple[Limit, str]]:
    """The counters a password typed for `account` (an e-mail address in canonical form) from
    `address` (learnprofile.client_address) is counted under."""
    group = address_group(address)
    return [(SIGN_IN_PER_ACCOUNT_AND_ADDRESS, f"{account}\n{group}"), (SIGN_IN_PER_ADDRESS, group)]


# Failed second-factor codes (an authenticator app's code or a recovery code, typed after the
# right password), counted like passwords (decision 0010): per (account, address), forgotten
# at the next success from there, and per address across accounts. Never per account alone:
# anyone who learnt the password could otherwise keep the owner from their second step.
SECOND_FACTOR_PER_ACCOUNT_AND_ADDRESS = Limit(
    name="second-factor:account-address",
    free_failures=5,
    max_delay_seconds=15 * 60,
    window_seconds=24 * 3600,
    forget_on_success=True,
)
SECOND_FACTOR_PER_ADDRESS = Limit(
    name="second-factor:address", free_failures=20, max_delay_seconds=60, window_seconds=10 * 60
)


def second_factor_counters(*, user_id: int, address: str | None) -> list[tuple[Limit, str]]:
    """The counters a second-factor code typed for the account `user_id` from `address`
    (learnprofile.client_address) is counted under."""
    group = address_group(address)
    return [
        (SECOND_FACTOR_PER_ACCOUNT_AND_ADDRESS, f"{user_id}\n{group}"),
        (SECOND_FACTOR_PER_ADDRESS, group),
    ]


def _limits_on() -> bool:
    """Our sign-in limits follow allauth's switch: off when ACCOUNT_RATE_LIMITS is False
    (the test settings; their own tests turn them on)."""
    return getattr(settings, "ACCOUNT_RATE_LIMITS", None) is not False


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


class MfaAuthenticateForm(mfa_forms.AuthenticateForm):
    """allauth's second step of signing in (MFA_FORMS["authenticate"]), its code counted per
    (account, client address) and per address with growing delays (decision 0010) instead of
    allauth's `login_failed` limit, whose per-account key anyone with the password could fill
    to keep the owner out of every device. The code is taken as typed codes are
    (`typed_code_normalise`: full-width digits, spaces and dashes). Raises ValidationError on
    the code field: a wrong code, or how long to wait."""

    def clean_code(self) -> str:
        code = typed_code_normalise(str(self.cleaned_data["code"]))
        attempt: Attempt | None = None
        if _limits_on():
            request = allauth_context.request
            try:
                attempt = attempt_start(
                    counters=second_factor_counters(
                        user_id=self.user.pk, address=client_address(request)
                    )
                )
            except AttemptsExhausted as refusal:
                wait = wait_for_people(refusal.wait_seconds)
                if refusal.limit is SECOND_FACTOR_PER_ADDRESS:
                    message = _(
                        "Có quá nhiều lần nhập sai mã xác thực từ mạng bạn đang dùng. "
                        "Hãy đợi %(wait)s rồi thử lại."
                    )
                else:
                    message = _(
                        "Bạn đã nhập sai mã xác thực nhiều lần. Hãy đợi %(wait)s rồi thử lại "
                        "với mã mới trong ứng dụng xác thực, hoặc dùng một mã khôi phục."
                    )
                raise forms.ValidationError(
                    message % {"wait": wait}, code="too_many_login_attempts"
                ) from refusal
        main_authenticator: Authenticator | None = None
        # As allauth's form: every authenticator that takes a typed code (not WebAuthn), the
        # failure signal sent to the main one (TOTP when there is one).
        for authenticator in Authenticator.objects.filter(user=self.user).exclude(
            type=Authenticator.Type.WEBAUTHN
        ):
            if main_authenticator is None or authenticator.type == Authenticator.Type.TOTP:
                main_authenticator = authenticator
            if authenticator.wrap().validate_code(code):
                authenticator.user = self.user
                self.authenticator = authenticator
                if attempt is not None:
                    attempt.succeeded()
                return code
        if main_authenticator is not None:
            self._emit_authentication_failed(main_authenticator)
        raise mfa_adapter().validation_error("incorrect_code")


class MfaActivateTotpForm(totp_forms.ActivateTOTPForm):
    """allauth's, reading the code as any typed code is read (full-width or other digits,
    spaces and dashes: `typed_code_normalise`)."""

    def clean_code(self) -> str:
        self.cleaned_data["code"] = typed_code_normalise(str(self.cleaned_data["code"]))
        return str(super().clean_code())


class AccountAdapter(DefaultAccountAdapter):
    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """A password typed at sign-in counts as a confirmation for as long as a confirmation
        does (ACCOUNT_REAUTHENTICATION_TIMEOUT, seconds): a staff member whom the MFA gate
        sends to set up TOTP right after signing in is not asked for the password again.
        allauth 65 counts only its own confirmation page; the sign-in's record is read from
        the session's authentication log (`get_authentication_records`, allauth's)."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = allauth_context.request
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return True
        typed_at = [
            float(record.get("at", 0))
            for record in get_authentication_records(request, user)
            if record.get("method") == "password"
        ]
        timeout = account_settings.REAUTHENTICATION_TIMEOUT
        return not (typed_at and time.time() - max(typed_at) < timeout)

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
        self._sign_in_attempt: Attempt | None = None
        user: AbstractBaseUser | None = super().authenticate(request, **credentials)
        password = credentials.get("password") or ""
        if user is None and not password.isascii():
            user = self._authenticate_as_typed_before_nfc(request, password, credentials)
        if user is not None and self._sign_in_attempt is not None:
            self._sign_in_attempt.succeeded()
        return user

    def _authenticate_as_typed_before_nfc(
        self, request: HttpRequest, password: str, credentials: dict[str, Any]
    ) -> AbstractBaseUser | None:
        for typed in _passwords_as_typed_before_nfc(password):
            AuthenticationBackend.unstash_authenticated_user()
            user = auth.authenticate(request, **{**credentials, "password": typed})
            # allauth's backend stashes an inactive account whose password matched.
            user = user or AuthenticationBackend.unstash_authenticated_user()
            if user is not None:
                user.set_password(password)
                user.save(update_fields=["password"])
                return user
        return None

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Before a password is checked: refuse it, saying how long to wait, while the
        (account, client address) or the address has failed too often (decision 0010).
        This replaces allauth's `login_failed` limit for passwords, whose per-account part
        is a lock anyone can renew (MfaAuthenticateForm does the same for the second-factor
        step). Off when ACCOUNT_RATE_LIMITS is False
        (the test settings). Raises ValidationError (shown on the sign-in form)."""
        if not _limits_on():
            return
        account = str(credentials.get("email") or credentials.get("username") or "")
        try:
            self._sign_in_attempt = attempt_start(
                counters=sign_in_counters(account=account, address=client_address(request))
            )
        except AttemptsExhausted as refusal:
            wait = wait_for_people(refusal.wait_seconds)
            if refusal.limit is SIGN_IN_PER_ADDRESS:
                message = _(
                    "Có quá nhiều lần đăng nhập sai từ mạng bạn đang dùng. "
                    "Hãy đợi %(wait)s rồi thử lại."
                )
            else:
                message = _(
                    "Bạn đã nhập sai mật khẩu nhiều lần. Hãy đợi %(wait)s rồi thử lại. "
                    "Nếu quên mật khẩu, bạn có thể đặt lại mật khẩu qua email."
                )
            raise forms.ValidationError(
                message % {"wait": wait}, code="too_many_login_attempts"
            ) from refusal

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any) -> None:
        """After a password reset (allauth calls this for each of the account's addresses):
        the person's failures from where they reset it are forgotten too, so the new
        password works at once."""
        super()._delete_login_attempts_cached_email(request, **credentials)
        account = email_canonical(str(credentials.get("email") or ""))
        pair, _address = sign_in_counters(account=account, address=client_address(request))
        attempts_forget(limit=pair[0], identity=pair[1])

    def get_client_ip(self, request: HttpRequest) -> str:
        """The client address for allauth's own limits, from `learnprofile.client_address`
        (X-Forwarded-For only through TRUSTED_PROXY_COUNT proxies). Raises PermissionDenied
        without one, as allauth does."""
        address = client_address(request)
        if address is None:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render in the current language, then queue: the web request never talks SMTP."""
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
        saved: User = super().save_user(request, user, form, commit=commit)
        if commit:
            citizen_profile_ensure(user=saved)
        return saved
