"""Walk-in learners: registered at the door by center staff, claimed later by the learner.

Registration opens an assisted account (profiles) and a WalkInLearner row, and returns a
one-time claim code that the center hands to the learner on paper (only its keyed hash is
kept). Staff look a person up by phone or national ID number first, so nobody gets two
accounts. The claim moves the walk-in account's enrollments (their attendance marks hang on
them) and ledger rows to the learner's own account, and records exactly what moved; staff of
the registering center can undo a wrong claim, which moves those rows back. Both are audited.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses import permissions
from courses.models import ENROLLMENT_OPEN_STATUSES, Enrollment, WalkInClaim, WalkInLearner
from courses.services.enrollment import enrollment_create_for
from learnprofile.attempts import AttemptsExhausted, Limit, attempt_start, wait_for_people
from learnprofile.audit.services import audit_record
from learnprofile.client_address import address_group
from learnprofile.errors import Conflict, DomainError, NotFound, NotPermitted
from learnprofile.text import typed_code_normalise
from profiles import api as profiles_api
from profiles.data import PersonData

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed on a phone
CODE_LENGTH = 8
CODE_VALID_FOR = timedelta(days=90)
# Wrong claim codes slow the person who types them (ten free in an hour, then 1 s, 2 s, 4 s,
# ... up to fifteen minutes between tries) and the address they come from (thirty free, then up
# to five minutes), never anyone else (decision 0010).
CLAIM_PER_PERSON = Limit(
    name="walk-in-claim:person", free_failures=10, max_delay_seconds=900, window_seconds=3600
)
CLAIM_PER_ADDRESS = Limit(
    name="walk-in-claim:address", free_failures=30, max_delay_seconds=300, window_seconds=3600
)


class ClaimCodeInvalid(DomainError):
    code = "claim_code_invalid"


class ClaimConflict(Conflict):
    code = "claim_conflict"


class PhoneShared(Conflict):
    """The phone number is already on other people's profiles. Not forbidden (a household
    may share a landline), but staff confirm it after looking the person up first."""

    code = "phone_shared"

    def __init__(self, count: int) -> None:
        super().__init__(
            ngettext(
                "Số điện thoại này đã có trong hồ sơ của %(count)d người khác. Hãy tìm theo số "
                "này ở bước 1 xem người học đã có hồ sơ chưa; nếu đúng là người mới dùng chung "
                "số (như điện thoại bàn của gia đình), hãy xác nhận vẫn đăng ký với số này.",
                "Số điện thoại này đã có trong hồ sơ của %(count)d người khác. Hãy tìm theo số "
                "này ở bước 1 xem người học đã có hồ sơ chưa; nếu đúng là người mới dùng chung "
                "số (như điện thoại bàn của gia đình), hãy xác nhận vẫn đăng ký với số này.",
                count,
            )
            % {"count": count}
        )
        self.count = count


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    http_status = 429


@dataclass(frozen=True)
class WalkInRegistration:
    walk_in: WalkInLearner
    person: PersonData
    claim_code: str
    enrollment: Enrollment | None = None


def _code_normalise(code: str) -> str:
    """A claim code as compared: as typed codes are (full-width forms, any dash or space),
    upper case."""
    return typed_code_normalise(code).upper()


def _code_hash(code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"walk-in:{_code_normalise(code)}".encode(), hashlib.sha256
    ).hexdigest()


def _code_new() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def learners_find(*, actor: Any, phone: str = "", national_id: str = "") -> list[PersonData]:
    """Center staff look a learner up before registering them (avoids duplicates). Raises
    NotPermitted for anyone else, ValidationError for a malformed number. Audited (the
    search reveals who is registered)."""
    if not permissions.center_organization_ids(actor):
        raise NotPermitted(_("Chỉ nhân viên trung tâm mới tìm được người học."))
    people = profiles_api.persons_find(phone=phone, national_id=national_id)
    audit_record(
        actor=actor,
        action="learner.searched",
        object_type="person",
        object_id="-",
        details={
            "by_phone": bool(phone.strip()),
            "by_national_id": bool(national_id.strip()),
            "found": len(people),
        },
    )
    return people


@transaction.atomic
def walk_in_register(
    *,
    actor: Any,
    organization_id: int,
    full_name: str,
    birth_year: int,
    phone: str = "",
    ward_id: int | None = None,
    national_id: str = "",
    offering_id: int | None = None,
    confirm_shared_phone: bool = False,
) -> WalkInRegistration:
    """Register a learner without an account at one of the actor's centers and, with
    `offering_id`, enroll them in the same transaction. Not idempotent (look the person up
    first). Returns the plain claim code, shown once.

    Phone numbers are not unique (a household may share one), but a number already on other
    people's profiles often means the person is already registered: unless
    `confirm_shared_phone`, it is refused with PhoneShared, which gives only how many
    people have it (no name: the look-up, which is audited, is where staff see who).

    Raises NotPermitted, ValidationError (a field, in the user's language), PhoneShared,
    NationalIdAlreadyRegistered, the enrollment's errors; writes nothing then."""
    if not permissions.may_register_walk_ins(actor, organization_id):
        raise NotPermitted(_("Bạn không làm việc ở trung tâm này."))
    this_year = timezone.localdate().year
    if not 1900 <= birth_year <= this_year:
        raise ValidationError(
            {"birth_year": [_("Năm sinh phải từ 1900 đến %(year)d.") % {"year": this_year}]}
        )
    if phone.strip() and not confirm_shared_phone:
        # An invalid number matches nobody here; assisted_person_create refuses it on its
        # field.
        match = profiles_api.contacts_match(contacts=[phone])[phone]
        if match.people:
            raise PhoneShared(len(match.people))
    person = profiles_api.assisted_person_create(
        actor_id=actor.pk,
        full_name=full_name,
        phone=phone,
        ward_id=ward_id,
        national_id=national_id,
    )
    code = _code_new()
    walk_in = WalkInLearner.objects.create(
        learner_id=person.id,
        organization_id=organization_id,
        birth_year=birth_year,
        registered_by_id=actor.pk,
        claim_code_hash=_code_hash(code),
        claim_code_expires_at=timezone.now() + CODE_VALID_FOR,
    )
    audit_record(
        actor=actor,
        action="walk_in.registered",
        object_type="walk_in",
        object_id=walk_in.public_id,
        details={"organization": organization_id},
    )
    enrollment = None
    if offering_id is not None:
        enrollment, _created = enrollment_create_for(
            actor=actor, learner_id=person.id, offering_id=offering_id
        )
    return WalkInRegistration(
        walk_in=walk_in, person=person, claim_code=code, enrollment=enrollment
    )


def walk_in_for_staff(*, actor: Any, walk_in_id: UUID) -> WalkInLearner:
    walk_in = WalkInLearner.objects.filter(public_id=walk_in_id).first()
    if walk_in is None or not permissions.may_manage_walk_in(actor, walk_in):
        raise NotFound(_("Không tìm thấy người học này."))
    return walk_in


@transaction.atomic
def walk_in_code_new(*, actor: Any, walk_in_id: UUID) -> str:
    """A new claim code (the old one stops working). Raises NotFound, ClaimConflict (the
    record is claimed: undo the claim first)."""
    walk_in = walk_in_for_staff(actor=actor, walk_in_id=walk_in_id)
    walk_in = WalkInLearner.objects.select_for_update().get(pk=walk_in.pk)
    if walk_in.claims.filter(undone_at__isnull=True).exists():
        raise ClaimConflict(_("Người học đã nhận hồ sơ này về tài khoản của mình."))
    code = _code_new()
    walk_in.claim_code_hash = _code_hash(code)
    walk_in.claim_code_expires_at = timezone.now() + CODE_VALID_FOR
    walk_in.save(update_fields=["claim_code_hash", "claim_code_expires_at"])
    audit_record(
        actor=actor,
        action="walk_in.code_issued",
        object_type="walk_in",
        object_id=walk_in.public_id,
    )
    return code


def walk_in_claim(*, actor: Any, code: str, client_address: str | None) -> WalkInClaim:
    """The signed-in learner takes a walk-in record into their own account with the code the
    center gave them. The code works once. Locks the walk-in, then the enrollments moved.
    Raises ClaimCodeInvalid (wrong, used or expired: one message, so codes cannot be probed),
    TooManyAttempts (saying how long to wait) while the person or the network of
    `client_address` (the request's, from `learnprofile.client_address`) has typed too many
    wrong codes (CLAIM_PER_PERSON, CLAIM_PER_ADDRESS), ClaimConflict (the learner already holds
    a seat in one of the same classes). Call outside a transaction: a wrong code is counted in
    the cache (learnprofile.attempts)."""
    if not actor.is_authenticated or getattr(actor, "is_assisted", False):
        raise NotPermitted(_("Hãy đăng nhập bằng tài khoản của bạn."))
    try:
        attempt = attempt_start(
            counters=[
                (CLAIM_PER_PERSON, str(actor.pk)),
                (CLAIM_PER_ADDRESS, address_group(client_address)),
            ]
        )
    except AttemptsExhausted as refusal:
        if refusal.limit is CLAIM_PER_ADDRESS:  # others' failures: not theirs to be told of
            message = _(
                "Có quá nhiều lần nhập sai mã nhận hồ sơ từ mạng bạn đang dùng. "
                "Hãy đợi %(wait)s rồi thử lại."
            )
        else:
            message = _("Bạn đã nhập sai mã nhiều lần. Hãy đợi %(wait)s rồi thử lại.")
        raise TooManyAttempts(
            message % {"wait": wait_for_people(refusal.wait_seconds)},
            retry_after_seconds=refusal.wait_seconds,
        ) from refusal
    try:
        claim = _walk_in_claim(actor=actor, code=code)
    except ClaimCodeInvalid:
        raise
    except Exception:
        attempt.withdraw()  # the code was right: refused for another reason
        raise
    attempt.succeeded()
    return claim


@transaction.atomic
def _walk_in_claim(*, actor: Any, code: str) -> WalkInClaim:
    invalid = ClaimCodeInvalid(
        _("Mã không đúng, đã dùng hoặc đã hết hạn. Hãy hỏi trung tâm để nhận mã mới.")
    )
    normalised = _code_normalise(code)
    if len(normalised) != CODE_LENGTH:
        raise invalid
    walk_in = (
        WalkInLearner.objects.select_for_update()
        .filter(claim_code_hash=_code_hash(normalised), claim_code_expires_at__gt=timezone.now())
        .first()
    )
    if walk_in is None or walk_in.learner_id == actor.pk:
        raise invalid
    enrollments = list(
        Enrollment.objects.select_for_update().filter(learner_id=walk_in.learner_id).order_by("id")
    )
    open_offerings = {
        enrollment.offering_id
        for enrollment in enrollments
        if enrollment.status in ENROLLMENT_OPEN_STATUSES
    }
    if Enrollment.objects.filter(
        learner_id=actor.pk, offering_id__in=open_offerings, status__in=ENROLLMENT_OPEN_STATUSES
    ).exists():
        raise ClaimConflict(
            _(
                "Tài khoản của bạn đã đăng ký một lớp học giống hồ sơ này. "
                "Hãy hủy một trong hai đăng ký hoặc nhờ trung tâm giúp."
            )
        )
    Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).update(learner_id=actor.pk)
    records = profiles_api.learning_records_move(
        from_user_id=walk_in.learner_id, to_user_id=actor.pk
    )
    moved_national_id = profiles_api.national_id_move(
        from_user_id=walk_in.learner_id, to_user_id=actor.pk
    )
    claim = WalkInClaim.objects.create(
        walk_in=walk_in,
        claimant_id=actor.pk,
        enrollment_ids=[enrollment.pk for enrollment in enrollments],
        learning_record_ids=records,
        moved_national_id=moved_national_id,
    )
    walk_in.claim_code_hash = None
    walk_in.claim_code_expires_at = None
    walk_in.save(update_fields=["claim_code_hash", "claim_code_expires_at"])
    audit_record(
        actor=actor,
        action="walk_in.claimed",
        object_type="walk_in",
        object_id=walk_in.public_id,
        details={
            "claim": str(claim.public_id),
            "enrollments": len(enrollments),
            "learning_records": len(records),
        },
    )
    return claim


@transaction.atomic
def walk_in_claim_undo(*, actor: Any, claim_id: UUID, reason: str) -> WalkInClaim:
    """Staff of the registering center undo a wrong claim: exactly the rows that moved go
    back to the walk-in account. Idempotent (an undone claim is returned as is). Locks the
    claim, then the enrollments. Raises NotFound, ValidationError (no reason),
    ClaimConflict (the walk-in account holds a seat again in one of the same classes)."""
    claim = (
        WalkInClaim.objects.select_for_update(of=("self",))
        .select_related("walk_in")
        .filter(public_id=claim_id)
        .first()
    )
    if claim is None or not permissions.may_manage_walk_in(actor, claim.walk_in):
        raise NotFound(_("Không tìm thấy lần nhận hồ sơ này."))
    if claim.undone_at is not None:
        return claim
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": [_("Hãy ghi lý do hoàn tác.")]})
    walk_in = claim.walk_in
    enrollments = list(
        Enrollment.objects.select_for_update()
        .filter(pk__in=claim.enrollment_ids, learner_id=claim.claimant_id)
        .order_by("id")
    )
    open_offerings = {
        enrollment.offering_id
        for enrollment in enrollments
        if enrollment.status in ENROLLMENT_OPEN_STATUSES
    }
    if Enrollment.objects.filter(
        learner_id=walk_in.learner_id,
        offering_id__in=open_offerings,
        status__in=ENROLLMENT_OPEN_STATUSES,
    ).exists():
        raise ClaimConflict(_("Hồ sơ người học đã có đăng ký trùng; không thể hoàn tác."))
    Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).update(
        learner_id=walk_in.learner_id
    )
    profiles_api.learning_records_move(
        from_user_id=claim.claimant_id,
        to_user_id=walk_in.learner_id,
        record_ids=list(claim.learning_record_ids),
    )
    if claim.moved_national_id:
        profiles_api.national_id_move(from_user_id=claim.claimant_id, to_user_id=walk_in.learner_id)
    claim.undone_at = timezone.now()
    claim.undone_by_id = actor.pk
    claim.undo_reason = reason[:300]
    claim.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    audit_record(
        actor=actor,
        action="walk_in.claim_undone",
        object_type="walk_in",
        object_id=walk_in.public_id,
        details={"claim": str(claim.public_id), "enrollments": len(enrollments)},
    )
    return claim
