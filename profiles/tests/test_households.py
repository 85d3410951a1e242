"""Households ("Learning Family"): invitations, consent to share, leaving."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from learnprofile.errors import NotFound
from profiles.models import Household, HouseholdInvitation, HouseholdMember
from profiles.selectors import household_hours_this_year
from profiles.services import households
from profiles.tests.factories import UserFactory, learning_records_bulk
from tests.helpers import run_pending_jobs


@pytest.fixture
def family(client, personas):
    """The learner owns a household; other_learner accepted an email invitation."""
    client.force_login(personas.learner)
    client.post(reverse("household_create"), {"name": "Gia đình bác An"})
    client.post(reverse("household_invite"), {"email": personas.other_learner.email, "phone": ""})
    invitation = HouseholdInvitation.objects.get()
    client.force_login(personas.other_learner)
    client.post(reverse("household_join", args=[invitation.code]), {"answer": "accept"})
    client.logout()
    return Household.objects.get()


def test_email_invitation_is_mailed_with_a_link(client, personas) -> None:
    client.force_login(personas.learner)
    client.post(reverse("household_create"), {"name": "Gia đình bác An"})
    response = client.post(
        reverse("household_invite"), {"email": "Hocvien2@Example.vn", "phone": ""}
    )
    run_pending_jobs()

    invitation = HouseholdInvitation.objects.get()
    assert response.status_code == 302
    assert invitation.email == "hocvien2@example.vn"
    assert mail.outbox[-1].to == ["hocvien2@example.vn"]
    assert f"/household/join/{invitation.code}/" in mail.outbox[-1].body
    assert "Gia đình bác An" in mail.outbox[-1].subject


def test_the_invitation_link_is_at_the_site_address_whatever_host_was_asked(
    client, personas, settings
) -> None:
    settings.SITE_URL = "https://hoctap.gov.vn"
    client.force_login(personas.learner)
    client.post(reverse("household_create"), {"name": "Gia đình bác An"})
    client.post(reverse("household_invite"), {"email": "hocvien2@example.vn", "phone": ""})
    run_pending_jobs()

    invitation = HouseholdInvitation.objects.get()
    assert f"https://hoctap.gov.vn/household/join/{invitation.code}/" in mail.outbox[-1].body
    assert "testserver" not in mail.outbox[-1].body


def test_member_joins_only_by_accepting(client, personas, family) -> None:
    assert set(family.members.values_list("user__email", flat=True)) == {
        personas.learner.email,
        personas.other_learner.email,
    }
    assert HouseholdInvitation.objects.get().status == "accepted"


def test_invitation_is_not_accepted_by_someone_else(client, personas) -> None:
    client.force_login(personas.learner)
    client.post(reverse("household_create"), {"name": "Nhà An"})
    client.post(reverse("household_invite"), {"email": personas.other_learner.email})
    code = HouseholdInvitation.objects.get().code

    stranger = UserFactory()
    client.force_login(stranger)
    response = client.post(reverse("household_join", args=[code]), {"answer": "accept"})

    assert response.status_code == 403
    assert not HouseholdMember.objects.filter(user=stranger).exists()
    assert HouseholdInvitation.objects.get().status == "pending"


def test_phone_invitation_is_accepted_with_the_code_by_the_phone_owner(client, personas) -> None:
    profile = personas.other_learner.citizen_profile
    profile.phone = "+84912345678"
    profile.save()
    client.force_login(personas.learner)
    client.post(reverse("household_create"), {"name": "Nhà An"})
    response = client.post(reverse("household_invite"), {"email": "", "phone": "0912 345 678"})
    invitation = HouseholdInvitation.objects.get()
    assert invitation.code in response.wsgi_request._messages._queued_messages[0].message
    assert mail.outbox == []

    client.force_login(personas.other_learner)
    page = client.get(reverse("household_home")).content.decode()
    assert reverse("household_join", args=[invitation.code]) in page
    typed = client.get(reverse("household_join_code"), {"code": invitation.code.lower()})
    assert typed.status_code == 302
    client.post(reverse("household_join", args=[invitation.code]), {"answer": "accept"})
    assert HouseholdMember.objects.filter(user=personas.other_learner).exists()


def test_expired_or_used_invitation_is_refused(client, personas) -> None:
    client.force_login(personas.learner)
    client.post(reverse("household_create"), {"name": "Nhà An"})
    client.post(reverse("household_invite"), {"email": personas.other_learner.email})
    HouseholdInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(personas.other_learner)
    response = client.post(
        reverse("household_join", args=[HouseholdInvitation.objects.get().code]),
        {"answer": "accept"},
    )
    assert response.status_code == 409
    assert "hết hạn" in response.content.decode()
    assert not HouseholdMember.objects.filter(user=personas.other_learner).exists()


def test_member_who_has_not_consented_is_not_shown(client, personas, family) -> None:
    learning_records_bulk(personas.other_learner, 2)
    secret_title = "Khóa học số 0"
    client.force_login(personas.learner)

    page = client.get(reverse("household_home")).content.decode()
    assert "Thành viên này chưa chia sẻ việc học." in page
    assert secret_title not in page

    client.force_login(personas.other_learner)
    client.post(reverse("household_sharing"), {"share": "1"})
    client.force_login(personas.learner)
    page = client.get(reverse("household_home")).content.decode()
    assert secret_title in page

    client.force_login(personas.other_learner)
    client.post(reverse("household_sharing"), {"share": "0"})
    client.force_login(personas.learner)
    assert secret_title not in client.get(reverse("household_home")).content.decode()


def test_leaving_removes_access_at_once(client, personas, family) -> None:
    learning_records_bulk(personas.learner, 1)
    client.force_login(personas.learner)
    client.post(reverse("household_sharing"), {"share": "1"})

    client.force_login(personas.other_learner)
    assert "Khóa học số 0" in client.get(reverse("household_home")).content.decode()
    client.post(reverse("household_leave"))

    page = client.get(reverse("household_home")).content.decode()
    assert "Khóa học số 0" not in page
    assert "Gia đình bác An" not in page
    assert not HouseholdMember.objects.filter(user=personas.other_learner).exists()


def test_owner_leaving_hands_the_household_on_and_last_one_closes_it(personas, family) -> None:
    households.household_leave(actor=personas.learner)
    assert family.members.get().user == personas.other_learner
    assert family.members.get().role == "owner"

    households.household_leave(actor=personas.other_learner)
    assert not Household.objects.exists()


def test_a_person_is_in_one_household_at_a_time(client, personas, family) -> None:
    client.force_login(personas.other_learner)
    response = client.post(reverse("household_create"), {"name": "Thêm một nhà"})
    assert response.status_code == 400
    assert Household.objects.count() == 1


def test_household_hours_are_ready_for_title_rules(personas, family) -> None:
    learning_records_bulk(personas.learner, 1)
    hours = household_hours_this_year(household=family, year=timezone.localdate().year)
    assert hours == {personas.learner.pk: Decimal("2.5"), personas.other_learner.pk: Decimal(0)}


def test_only_members_revoke_invitations(personas, family) -> None:
    invitation = households.household_invite(actor=personas.learner, email="ba@example.vn")
    with pytest.raises(NotFound):
        households.household_invitation_revoke(actor=UserFactory(), code=invitation.code)
    assert HouseholdInvitation.objects.get(pk=invitation.pk).status == "pending"


def test_an_invitation_code_typed_in_full_width_forms_with_spaces_opens_the_invitation(
    client, personas
) -> None:
    client.force_login(personas.learner)
    client.post(reverse("household_create"), {"name": "Nhà An"})
    client.post(reverse("household_invite"), {"email": personas.other_learner.email, "phone": ""})
    invitation = HouseholdInvitation.objects.get()
    code = invitation.code.lower()
    typed = "".join(chr(ord(char) + 0xFEE0) for char in f"{code[:5]}-{code[5:]}")
    client.force_login(personas.other_learner)

    response = client.get(reverse("household_join_code"), {"code": f" {typed[:4]} {typed[4:]}"})

    assert response.status_code == 302
    assert response["Location"] == reverse("household_join", args=[invitation.code])


def test_a_household_service_takes_the_invitation_code_as_typed(personas) -> None:
    owner = personas.learner
    households.household_create(actor=owner, name="Nhà An")
    invitation = households.household_invite(
        actor=owner, email=personas.other_learner.email, phone=""
    )
    typed = "".join(chr(ord(char) + 0xFEE0) for char in invitation.code.lower())

    member = households.household_invitation_accept(actor=personas.other_learner, code=typed)

    assert member.household == invitation.household
