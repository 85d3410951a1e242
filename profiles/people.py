"""People as other apps see them (`PersonData`, through `profiles.api`): read in bulk, and
found by the e-mail address or phone number someone typed."""

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from learnprofile.text import email_canonical
from profiles.data import ContactMatch, PersonData
from profiles.models import User
from profiles.phone import phone_normalise


def persons_get(*, user_ids: set[int]) -> dict[int, PersonData]:
    """Several people in two queries (for rosters and mailings)."""
    users = User.objects.select_related("citizen_profile__residence_ward").filter(pk__in=user_ids)
    verified = set(
        EmailAddress.objects.filter(user_id__in=user_ids, verified=True).values_list(
            "user_id", flat=True
        )
    )
    people = {}
    for user in users:
        people[user.pk] = _person_data(user, has_verified_email=user.pk in verified)
    return people


def _person_data(user: User, *, has_verified_email: bool) -> PersonData:
    profile = getattr(user, "citizen_profile", None)
    ward = profile.residence_ward if profile is not None else None
    return PersonData(
        id=user.pk,
        public_id=user.public_id,
        # An assisted account's address is a placeholder that no mail may go to.
        email="" if user.is_assisted else user.email,
        full_name=profile.full_name if profile is not None else "",
        preferred_language=user.preferred_language,
        has_verified_email=has_verified_email and not user.is_assisted,
        residence_ward_id=ward.pk if ward is not None else None,
        residence_province_id=ward.parent_id if ward is not None else None,
        phone=profile.phone if profile is not None else "",
        is_assisted=user.is_assisted,
    )


def contacts_match(*, contacts: list[str]) -> dict[str, ContactMatch]:
    """Who each email address or phone number names, keyed by the contact as given, in three
    queries whatever the count. A contact with "@" is an e-mail address (either form of an
    IDN domain names the same person, decision 0009); any other is a Vietnamese phone number
    in any form `profiles.phone.phone_parse` accepts ("0912 345 678", "+84 912 345 678",
    "84912345678", "+84 0912 345 678", an old "0162 912 3456" whose new number is on file).

    Each answer lists everyone the contact names: a phone number shared by a household
    names several people. A contact that is not a valid e-mail address (Django's
    `validate_email`) or phone number names nobody and carries the reason in `error`, in
    the active language (for a phone, the message of `phone_normalise`). Never raises."""
    answers: dict[str, ContactMatch] = {}
    # Either form of an address with an IDN domain (Unicode or punycode) names the same
    # person: both are looked up in the one form addresses are stored in (decision 0009),
    # and each contact that names it is answered.
    emails: dict[str, list[str]] = {}
    # Phone numbers in any accepted form: several contacts may name the same E.164 number.
    phones: dict[str, list[str]] = {}
    for contact in contacts:
        if "@" in contact:
            email = email_canonical(contact)
            try:
                validate_email(email)
            except ValidationError:
                answers[contact] = ContactMatch(
                    error=_(
                        "Địa chỉ email không hợp lệ. Hãy kiểm tra lại: email có dạng "
                        "ten@tenmien, ví dụ lan.nguyen@example.com."
                    )
                )
                continue
            emails.setdefault(email, []).append(contact)
        else:
            try:
                phones.setdefault(phone_normalise(contact), []).append(contact)
            except ValidationError as error:
                answers[contact] = ContactMatch(error=" ".join(error.messages))
    by_email: dict[str, int] = dict(
        EmailAddress.objects.filter(
            email__in=list(emails), user__erased_at__isnull=True, user__is_active=True
        ).values_list("email", "user_id")
    )
    for user_id, email in User.objects.filter(
        email__in=[email for email in emails if email not in by_email],
        erased_at__isnull=True,
        is_active=True,
    ).values_list("pk", "email"):
        by_email[email] = user_id
    named: dict[str, list[int]] = {}
    for email, contacts_of_email in emails.items():
        for contact in contacts_of_email:
            named[contact] = [by_email[email]] if email in by_email else []
    by_phone: dict[str, list[int]] = {}
    for user_id, phone in (
        User.objects.filter(
            citizen_profile__phone__in=list(phones), erased_at__isnull=True, is_active=True
        )
        .order_by("pk")
        .values_list("pk", "citizen_profile__phone")
    ):
        by_phone.setdefault(phone, []).append(user_id)
    for phone, contacts_of_phone in phones.items():
        for contact in contacts_of_phone:
            named[contact] = by_phone.get(phone, [])
    people = persons_get(user_ids={user_id for ids in named.values() for user_id in ids})
    for contact, user_ids in named.items():
        answers[contact] = ContactMatch(
            people=tuple(people[user_id] for user_id in user_ids if user_id in people)
        )
    return answers


def persons_by_contact(*, contacts: list[str]) -> dict[str, PersonData]:
    """Who each email address or phone number names, keyed by the contact as given (see
    `contacts_match`, whose rules it follows). A contact that names nobody, an invalid
    contact, or a phone number shared by several people is left out; never raises."""
    return {
        contact: match.people[0]
        for contact, match in contacts_match(contacts=contacts).items()
        if len(match.people) == 1
    }
