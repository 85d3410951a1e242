"""Phone numbers: Vietnam's numbering plan through libphonenumber, E.164 storage, the 2018
renumbering of 11-digit mobile numbers, and every look-up finding a person by any form."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from profiles import api as profiles_api
from profiles.models import CitizenProfile, HouseholdInvitation
from profiles.phone import (
    OLD_MOBILE_PREFIXES,
    PhoneNumber,
    phone_display,
    phone_is_mobile,
    phone_lookup_key,
    phone_normalise,
    phone_parse,
)
from profiles.selectors import household_invitations_for
from profiles.services import assisted, households
from profiles.tests.factories import UserFactory

renumbering = importlib.import_module("profiles.migrations.0009_phone_renormalise")

NOT_IN_PLAN = (
    "Số điện thoại không có trong kế hoạch đánh số của Việt Nam. Hãy kiểm tra lại: số di động "
    "gồm 10 chữ số, ví dụ 0912 345 678; số cố định gồm cả mã vùng, ví dụ 024 3825 1234."
)
NOT_DIGITS = (
    "Số điện thoại chỉ gồm chữ số, có thể thêm dấu cách, dấu chấm, dấu gạch ngang và dấu + ở "
    "đầu. Ví dụ: 0912 345 678."
)
OLD_NUMBER_NOTE = (
    "Số cũ 0162 912 3456 đã được đổi sang 0329 123 456 từ năm 2018; chúng tôi lưu số mới."
)

# One person's number, as people write it.
FORMS_OF_0912345678 = [
    "0912345678",
    "0912 345 678",
    "+84 912 345 678",
    "84912345678",
    "+84 0912 345 678",
    "+84 (0) 912 345 678",
    "0084 912 345 678",
    "0912.345.678",
    "0912-345-678",
    "0912\u2013345\u2013678",  # en dashes, as word processors write them
    "\uff10\uff19\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",  # full-width digits
    "\u0660\u0669\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668",  # Arabic-Indic digits
    " 0912 345 678 ",
    "+84912345678",
]
# A person whose new number (032...) is on file, as they may still write the old one.
FORMS_OF_0329123456 = [
    "0329 123 456",
    "+84 329 123 456",
    "0162 912 3456",
    "01629123456",
    "+84 162 912 3456",
    "+84 01629 123 456",
    "84 1629 123 456",
]


# --- The rules ------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", FORMS_OF_0912345678)
def test_every_usual_form_of_a_mobile_number_is_stored_as_e164(raw: str) -> None:
    assert phone_normalise(raw) == "+84912345678"


def test_an_eleven_digit_number_on_a_ten_digit_range_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        phone_normalise("0912 345 6789")

    assert error.value.code == "invalid_phone"
    assert error.value.messages == [NOT_IN_PLAN]


def test_a_number_no_operator_was_given_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        phone_normalise("0111 111 111")

    assert error.value.code == "invalid_phone"
    assert error.value.messages == [NOT_IN_PLAN]


def test_the_trunk_zero_kept_after_the_country_code_is_dropped() -> None:
    assert phone_normalise("+84 0912 345 678") == "+84912345678"


def test_an_old_eleven_digit_mobile_number_becomes_todays_number_with_a_note() -> None:
    number = phone_parse("01629 123 456")

    assert number == PhoneNumber(e164="+84329123456", kind="mobile", converted_from="0162 912 3456")
    assert number.note == OLD_NUMBER_NOTE


@pytest.mark.parametrize("raw", ["+84 1629 123 456", "84 1629 123 456", "+84 01629 123 456"])
def test_an_old_mobile_number_written_internationally_is_converted_too(raw: str) -> None:
    number = phone_parse(raw)

    assert (number.e164, number.converted_from) == ("+84329123456", "0162 912 3456")


@pytest.mark.parametrize(("old", "new"), sorted(OLD_MOBILE_PREFIXES.items()))
def test_each_old_prefix_of_the_2018_renumbering_maps_to_its_new_prefix(old: str, new: str) -> None:
    assert phone_normalise(f"0{old} 123 4567") == f"+84{new}1234567"


def test_the_conversion_table_is_the_official_one() -> None:
    # Quyết định 798/QĐ-BTTTT: 21 prefixes of Viettel, VinaPhone, MobiFone, Vietnamobile, Gmobile.
    assert {f"0{old}": f"0{new}" for old, new in OLD_MOBILE_PREFIXES.items()} == {
        "0120": "070",
        "0121": "079",
        "0122": "077",
        "0126": "076",
        "0128": "078",
        "0123": "083",
        "0124": "084",
        "0125": "085",
        "0127": "081",
        "0129": "082",
        "0162": "032",
        "0163": "033",
        "0164": "034",
        "0165": "035",
        "0166": "036",
        "0167": "037",
        "0168": "038",
        "0169": "039",
        "0186": "056",
        "0188": "058",
        "0199": "059",
    }


def test_a_current_number_is_not_converted_and_has_no_note() -> None:
    number = phone_parse("0329 123 456")

    assert (number.e164, number.converted_from, number.note) == ("+84329123456", "", "")


def test_a_fixed_line_with_its_area_code_is_accepted_but_is_not_mobile() -> None:
    number = phone_parse("024 3825 1234")

    assert (number.e164, number.kind, number.is_mobile) == ("+842438251234", "fixed_line", False)
    assert phone_is_mobile("+842438251234") is False
    assert phone_is_mobile("+84912345678") is True


@pytest.mark.parametrize("raw", ["1800 1234", "1900 1234"])
def test_a_service_number_is_refused_as_not_a_persons_number(raw: str) -> None:
    with pytest.raises(ValidationError) as error:
        phone_normalise(raw)

    assert error.value.code == "invalid_phone"
    assert error.value.messages == [
        "Số này là số dịch vụ (như 1800, 1900), không phải số điện thoại của một người. Hãy "
        "nhập số di động hoặc số cố định, ví dụ 0912 345 678."
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Hãy nhập số điện thoại, ví dụ 0912 345 678."),
        ("   ", "Hãy nhập số điện thoại, ví dụ 0912 345 678."),
        ("0912 345 678" * 4, "Số điện thoại quá dài: chỉ nhập một số, ví dụ 0912 345 678."),
        ("9" * 10_000, "Số điện thoại quá dài: chỉ nhập một số, ví dụ 0912 345 678."),
        ("0912 345 67a", NOT_DIGITS),
        ("<script>alert(1)</script>", NOT_DIGITS),
        ("0912\x00345678", NOT_DIGITS),
        ("09+12345678", NOT_DIGITS),
        (
            "+1 202 555 0100",
            "Chỉ nhận số điện thoại Việt Nam (mã quốc gia +84). Ví dụ: 0912 345 678.",
        ),
        (
            "0033 1 42 68 53 00",
            "Chỉ nhận số điện thoại Việt Nam (mã quốc gia +84). Ví dụ: 0912 345 678.",
        ),
        ("0912 345", NOT_IN_PLAN),
        ("0130 123 4567", NOT_IN_PLAN),  # 013x was never a mobile prefix
    ],
)
def test_garbage_is_refused_with_a_message_that_says_what_to_type(raw: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        phone_normalise(raw)

    assert error.value.code == "invalid_phone"
    assert error.value.messages == [message]


def test_normalising_is_idempotent() -> None:
    assert phone_normalise(phone_normalise("01629 123 456")) == "+84329123456"
    assert phone_normalise("+842438251234") == "+842438251234"


def test_a_look_up_key_is_none_for_an_invalid_number() -> None:
    assert phone_lookup_key("0912 345 6789") is None
    assert phone_lookup_key("") is None
    assert phone_lookup_key("0162 912 3456") == "+84329123456"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+84912345678", "0912 345 678"),
        ("+842438251234", "024 3825 1234"),
        ("+84111111111", "+84111111111"),  # an old row that could not be normalised
        ("số lạ", "số lạ"),
        ("", ""),
    ],
)
def test_a_stored_number_is_shown_in_the_national_format(stored: str, shown: str) -> None:
    assert phone_display(stored) == shown


# --- The person's own profile ---------------------------------------------------------------


def _profile_post(client: Client, phone: str):
    return client.post(
        reverse("profile_edit"),
        {"full_name": "Nguyễn Văn An", "phone": phone, "preferred_language": "vi"},
        follow=True,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("raw", FORMS_OF_0912345678)
def test_the_profile_page_stores_any_form_of_the_number_in_e164(personas, raw: str) -> None:
    client = Client()
    client.force_login(personas.learner)

    _profile_post(client, raw)

    assert CitizenProfile.objects.get(user=personas.learner).phone == "+84912345678"


@pytest.mark.django_db
def test_the_profile_page_stores_the_new_number_for_an_old_one_and_says_so(personas) -> None:
    client = Client()
    client.force_login(personas.learner)

    response = _profile_post(client, "0162 912 3456")

    assert CitizenProfile.objects.get(user=personas.learner).phone == "+84329123456"
    page = response.content.decode()
    assert "Đã lưu hồ sơ của bạn." in page
    assert OLD_NUMBER_NOTE in page


@pytest.mark.django_db
def test_the_profile_page_refuses_an_impossible_number_and_keeps_the_old_one(personas) -> None:
    CitizenProfile.objects.filter(user=personas.learner).update(phone="+84912345678")
    client = Client()
    client.force_login(personas.learner)

    response = _profile_post(client, "0912 345 6789")

    assert response.status_code == 200
    assert NOT_IN_PLAN in response.content.decode()
    assert CitizenProfile.objects.get(user=personas.learner).phone == "+84912345678"


@pytest.mark.django_db
def test_the_profile_page_shows_the_number_as_people_write_it(personas) -> None:
    CitizenProfile.objects.filter(user=personas.learner).update(phone="+84912345678")
    client = Client()
    client.force_login(personas.learner)

    page = client.get(reverse("profile_edit")).content.decode()

    assert 'value="0912 345 678"' in page


@pytest.mark.django_db
def test_the_api_stores_the_new_number_for_an_old_one_and_returns_the_note(personas) -> None:
    client = Client()
    client.force_login(personas.learner)

    response = client.put(
        "/api/v1/me/",
        data={"full_name": "Nguyễn Văn An", "phone": "+84 1629 123 456"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["phone_note"]) == (
        "+84329123456",
        OLD_NUMBER_NOTE,
    )
    assert CitizenProfile.objects.get(user=personas.learner).phone == "+84329123456"


@pytest.mark.django_db
def test_the_api_refuses_an_impossible_number_on_its_field(personas) -> None:
    client = Client()
    client.force_login(personas.learner)

    response = client.put(
        "/api/v1/me/",
        data={"full_name": "Nguyễn Văn An", "phone": "0111 111 111"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["phone"] == [NOT_IN_PLAN]
    assert CitizenProfile.objects.get(user=personas.learner).phone == ""


# --- Look-ups: the same person whatever the form ----------------------------------------------


@pytest.fixture
def person_0912(db):
    user = UserFactory(profile__full_name="Trần Văn Bình")
    CitizenProfile.objects.filter(user=user).update(phone="+84912345678")
    user.refresh_from_db()
    return user


@pytest.fixture
def person_0329(db):
    user = UserFactory(profile__full_name="Lò Thị Mai")
    CitizenProfile.objects.filter(user=user).update(phone="+84329123456")
    user.refresh_from_db()
    return user


@pytest.mark.parametrize("raw", FORMS_OF_0912345678)
def test_persons_find_finds_the_person_by_any_form_of_the_number(person_0912, raw: str) -> None:
    found = profiles_api.persons_find(phone=raw)

    assert [person.public_id for person in found] == [person_0912.public_id]


@pytest.mark.parametrize("raw", FORMS_OF_0329123456)
def test_persons_find_finds_the_person_by_their_old_number(person_0329, raw: str) -> None:
    found = profiles_api.persons_find(phone=raw)

    assert [person.public_id for person in found] == [person_0329.public_id]


def test_persons_find_reports_an_impossible_number_on_the_phone_field(person_0912) -> None:
    with pytest.raises(ValidationError) as error:
        assisted.persons_find(phone="0912 345 6789")

    assert error.value.message_dict == {"phone": [NOT_IN_PLAN]}


@pytest.mark.parametrize("raw", FORMS_OF_0912345678 + FORMS_OF_0329123456)
def test_persons_by_contact_finds_the_person_by_any_form_of_the_number(
    person_0912, person_0329, raw: str
) -> None:
    found = profiles_api.persons_by_contact(contacts=[raw])

    expected = person_0912 if raw in FORMS_OF_0912345678 else person_0329
    assert {contact: person.public_id for contact, person in found.items()} == {
        raw: expected.public_id
    }


def test_persons_by_contact_answers_each_form_of_one_number_given_together(person_0912) -> None:
    found = profiles_api.persons_by_contact(
        contacts=["0912 345 678", "+84 0912 345 678", "84912345678"]
    )

    assert {contact: person.public_id for contact, person in found.items()} == {
        "0912 345 678": person_0912.public_id,
        "+84 0912 345 678": person_0912.public_id,
        "84912345678": person_0912.public_id,
    }


def test_persons_by_contact_leaves_out_invalid_numbers_without_raising(person_0912) -> None:
    found = profiles_api.persons_by_contact(
        contacts=["0912 345 6789", "0111 111 111", "", "abc", "9" * 10_000, "0912345678"]
    )

    assert list(found) == ["0912345678"]


# --- Household invitations --------------------------------------------------------------------


@pytest.mark.parametrize("raw", FORMS_OF_0912345678)
def test_a_household_invitation_by_any_form_reaches_the_phone_owner(
    personas, person_0912, raw: str
) -> None:
    households.household_create(actor=personas.learner, name="Nhà An")

    invitation = households.household_invite(actor=personas.learner, phone=raw)

    assert invitation.phone == "+84912345678"
    assert list(household_invitations_for(user=person_0912)) == [invitation]


def test_a_household_invitation_to_an_old_number_reaches_the_new_number_and_says_so(
    client, personas, person_0329
) -> None:
    client.force_login(personas.learner)
    client.post(reverse("household_create"), {"name": "Nhà An"})

    response = client.post(
        reverse("household_invite"), {"email": "", "phone": "0162 912 3456"}, follow=True
    )

    invitation = HouseholdInvitation.objects.get()
    assert invitation.phone == "+84329123456"
    assert OLD_NUMBER_NOTE in response.content.decode()
    client.force_login(person_0329)
    client.post(reverse("household_join", args=[invitation.code]), {"answer": "accept"})
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


def test_a_household_invitation_to_an_impossible_number_is_refused(client, personas) -> None:
    client.force_login(personas.learner)
    client.post(reverse("household_create"), {"name": "Nhà An"})

    response = client.post(reverse("household_invite"), {"email": "", "phone": "0111 111 111"})

    assert response.status_code == 400
    assert NOT_IN_PLAN in response.content.decode()
    assert not HouseholdInvitation.objects.exists()


def test_the_household_page_shows_a_phone_invitation_in_the_national_format(
    client, personas
) -> None:
    client.force_login(personas.learner)
    client.post(reverse("household_create"), {"name": "Nhà An"})
    client.post(reverse("household_invite"), {"email": "", "phone": "+84912345678"})

    page = client.get(reverse("household_home")).content.decode()

    assert "0912 345 678" in page
    assert "+84912345678" not in page


# --- Walk-in accounts -------------------------------------------------------------------------


def test_an_assisted_account_opened_with_an_old_number_holds_the_new_one(personas) -> None:
    person = profiles_api.assisted_person_create(
        actor_id=personas.center_staff.pk,
        full_name="Lò Thị Mai",
        phone="0162 912 3456",
        ward_id=personas.center_staff.memberships.get().organization.ward_id,
    )

    assert person.phone == "+84329123456"


# --- The migration that re-normalised stored numbers ------------------------------------------


@pytest.mark.parametrize(
    ("stored", "renormalised"),
    [
        ("+84912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("+840912345678", "+84912345678"),
        ("+841629123456", "+84329123456"),
        ("01629123456", "+84329123456"),
        ("+841991234567", "+84591234567"),
        ("+842438251234", "+842438251234"),
        ("\uff10\uff19\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", "+84912345678"),
        ("+84111111111", None),
        ("+849123456789", None),
        ("+8418001234", None),
        ("+1 202 555 0100", None),
        ("abc", None),
        ("", None),
    ],
)
def test_the_migrations_frozen_conversion(stored: str, renormalised: str | None) -> None:
    assert renumbering.renormalise(stored) == renormalised


@pytest.mark.parametrize("raw", FORMS_OF_0912345678 + FORMS_OF_0329123456 + ["024 3825 1234"])
def test_the_migrations_frozen_conversion_agrees_with_the_live_one(raw: str) -> None:
    assert renumbering.renormalise(raw) == phone_normalise(raw)


@pytest.mark.django_db
def test_the_migration_rewrites_stored_numbers_lists_them_and_keeps_what_it_cannot_read(
    personas,
) -> None:
    old = UserFactory().citizen_profile
    current = UserFactory().citizen_profile
    unreadable = UserFactory().citizen_profile
    holder_of_the_new_number = UserFactory().citizen_profile
    CitizenProfile.objects.filter(pk=old.pk).update(phone="+841629123456")
    CitizenProfile.objects.filter(pk=current.pk).update(phone="+84912345678")
    CitizenProfile.objects.filter(pk=unreadable.pk).update(phone="+84111111111")
    CitizenProfile.objects.filter(pk=holder_of_the_new_number.pk).update(phone="+84329123456")
    households.household_create(actor=personas.learner, name="Nhà An")
    invitation = households.household_invite(actor=personas.learner, phone="0912 345 678")
    HouseholdInvitation.objects.filter(pk=invitation.pk).update(phone="840912345678")
    lines: list[str] = []

    renumbering.renormalise_phones(apps, None, out=lines.append)

    phones = dict(CitizenProfile.objects.values_list("pk", "phone"))
    assert (
        phones[old.pk],
        phones[current.pk],
        phones[unreadable.pk],
        phones[holder_of_the_new_number.pk],
    ) == ("+84329123456", "+84912345678", "+84111111111", "+84329123456")
    assert HouseholdInvitation.objects.get().phone == "+84912345678"
    assert lines == [
        f"profiles.CitizenProfile {unreadable.pk}: '+84111111111' could not be normalised, "
        "left as it is",
        f"profiles.CitizenProfile {old.pk}: +841629123456 -> +84329123456",
        f"profiles.HouseholdInvitation {invitation.pk}: 840912345678 -> +84912345678",
        f"profiles.CitizenProfile {old.pk}: +84329123456 is also on file for profile(s) "
        f"[{holder_of_the_new_number.pk}]",
    ]
