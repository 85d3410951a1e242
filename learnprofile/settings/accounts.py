"""Accounts: who a user is (profiles.User), how they sign in (allauth: email and password,
a second factor), and the limits on signing in (decision 0010). Part of base.py."""

AUTH_USER_MODEL = "profiles.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "profiles.adapters.AccountAdapter"
# Sign-in takes an address in its canonical form (either form of an IDN domain; decision 0009).
ACCOUNT_FORMS = {"login": "profiles.adapters.LoginForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# allauth's limits, by the client address of learnprofile/client_address.py; the Django admin
# login goes through allauth too (urls.py). Wrong passwords are slowed per (account, address)
# and per address by profiles.adapters, never by account alone (decision 0010), and so are
# second-factor codes at sign-in (MFA_FORMS below): "login_failed" now only guards codes typed
# by someone already signed in (confirming access, activating an authenticator app).
# "login" counts every sign-in form sent, right ones too: it only stops a flood (a room of forty
# learners at a community center shares one address and may send a hundred forms in its first
# minute); guessing is slowed by the failure limits above. Every limit that answers the 429
# page is per minute, as the page says (decision 0010).
ACCOUNT_RATE_LIMITS = {
    "login": "300/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "LearnProfile"
MFA_FORMS = {
    "authenticate": "profiles.adapters.MfaAuthenticateForm",
    "activate_totp": "profiles.adapters.MfaActivateTotpForm",
}
