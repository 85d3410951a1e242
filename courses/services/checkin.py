"""QR self check-in: the staff screen shows a signed token that changes every minute, and a
six-digit code for phones that cannot scan; an enrolled learner who opens it is marked present.

A token names its session and its minute, signed with the project's secret (salted), so it
cannot be forged or moved to another session. It is accepted during its own minute and the
next one (a learner who scans at second 59 still gets in), never later. The code is an HMAC
of the same two values, checked against the learner's own sessions running now.
"""

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import (
    ATTENDED_STATUSES,
    AttendanceMark,
    AttendanceStatus,
    Enrollment,
    EnrollmentStatus,
    MarkSource,
    OfferingStatus,
    Session,
)
from courses.services.attendance import MarkInput, marks_record
from learnprofile.attempts import AttemptsExhausted, Limit, attempt_start, wait_for_people
from learnprofile.audit.services import audit_record
from learnprofile.client_address import address_group
from learnprofile.errors import Conflict, DomainError, NotFound, NotPermitted
from learnprofile.text import typed_code_normalise

TOKEN_SECONDS = 60
TOKEN_SALT = "courses.checkin"  # noqa: S105 (a signing salt, not a secret)
CODE_DIGITS = 6
# Six digits change each minute. Wrong codes slow the person who types them (ten free in an
# hour, then 1 s, 2 s, 4 s, ... up to ten minutes between tries) and the address they come from
# (fifty free: a classroom shares one network), never anyone else (decision 0010).
CODE_PER_PERSON = Limit(
    name="checkin-code:person", free_failures=10, max_delay_seconds=600, window_seconds=3600
)
CODE_PER_ADDRESS = Limit(
    name="checkin-code:address", free_failures=50, max_delay_seconds=60, window_seconds=3600
)
# A learner may check in from a little before the session starts until it ends.
OPENS_BEFORE = timedelta(minutes=30)


class CheckInRefused(DomainError):
    code = "checkin_refused"


class TokenInvalid(CheckInRefused):
    code = "checkin_token_invalid"


class TokenExpired(CheckInRefused):
    code = "checkin_token_expired"
    http_status = 410


class TokenForAnotherSession(CheckInRefused):
    code = "checkin_wrong_session"


class NotEnrolled(NotPermitted):
    code = "not_enrolled"


class OutsideSessionWindow(Conflict):
    code = "outside_session_window"


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"


class TooManyAttempts(CheckInRefused):
    code = "too_many_attempts"
    http_status = 429


@dataclass(frozen=True)
class CheckInScreen:
    token: str
    code: str
    window: int
    expires_at: datetime


def _window(at: datetime) -> int:
    return int(at.timestamp()) // TOKEN_SECONDS


def checkin_code(*, session: Session, window: int) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"{TOKEN_SALT}:{session.public_id}:{window}".encode(),
        hashlib.sha256,
    ).hexdigest()
    return str(int(digest, 16) % 10**CODE_DIGITS).zfill(CODE_DIGITS)


def checkin_screen(*, session: Session, now: datetime | None = None) -> CheckInScreen:
    """What the staff screen shows now: the token (in the QR code) and the typed code."""
    now = now or timezone.now()
    window = _window(now)
    token = signing.dumps({"s": str(session.public_id), "w": window}, salt=TOKEN_SALT)
    expires_at = datetime.fromtimestamp((window + 1) * TOKEN_SECONDS, tz=now.tzinfo)
    return CheckInScreen(
        token=token,
        code=checkin_code(session=session, window=window),
        window=window,
        expires_at=expires_at,
    )


def _window_is_current(window: int, now: datetime) -> bool:
    return _window(now) - 1 <= window <= _window(now)


def _session_is_open(session: Session, now: datetime) -> bool:
    return session.starts_at - OPENS_BEFORE <= now <= session.ends_at


def _refused(actor: Any, session: Session | None, error: DomainError) -> DomainError:
    audit_record(
        actor=actor,
        action="attendance.checkin_refused",
        object_type="session",
        object_id=session.public_id if session is not None else "-",
        details={"code": error.code},
    )
    return error


def check_in_with_token(
    *, actor: Any, session_id: uuid.UUID, token: str, now: datetime | None = None
) -> AttendanceMark:
    """Mark the signed-in learner present from a scanned QR token. Raises TokenInvalid,
    TokenExpired, TokenForAnotherSession, NotEnrolled, OutsideSessionWindow, AlreadyCheckedIn
    (each audited in its own transaction; no mark written then)."""
    now = now or timezone.now()
    session = Session.objects.select_related("offering").filter(public_id=session_id).first()
    if session is None:
        raise NotFound(_("Không tìm thấy buổi học."))
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
        token_session, window = str(payload["s"]), int(payload["w"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise _refused(
            actor,
            session,
            TokenInvalid(_("Mã điểm danh không hợp lệ. Hãy quét lại mã trên màn hình.")),
        ) from error
    if token_session != str(session.public_id):
        raise _refused(
            actor,
            session,
            TokenForAnotherSession(_("Mã này thuộc một buổi học khác. Hãy quét mã của buổi này.")),
        )
    if not _window_is_current(window, now):
        raise _refused(
            actor,
            session,
            TokenExpired(_("Mã điểm danh đã hết hạn. Hãy quét mã mới đang hiện trên màn hình.")),
        )
    return _check_in(actor=actor, session=session, now=now)


def check_in_with_code(
    *, actor: Any, code: str, client_address: str | None, now: datetime | None = None
) -> AttendanceMark:
    """Mark the signed-in learner present from the six-digit code on the staff screen,
    matched against their own sessions running now; `code` is taken as typed codes are
    (learnprofile.text.typed_code_normalise: any script's digits, spaces and dashes). Same refusals as with a token, and
    TooManyAttempts (saying how long to wait) while the person, or the network of
    `client_address` (the request's, from `learnprofile.client_address`), has typed too many
    wrong codes.
    Call outside a transaction: a wrong code is counted in the cache (learnprofile.attempts)."""
    now = now or timezone.now()
    try:
        attempt = attempt_start(
            counters=[
                (CODE_PER_PERSON, str(actor.pk)),
                (CODE_PER_ADDRESS, address_group(client_address)),
            ],
            now=now.timestamp(),
        )
    except AttemptsExhausted as refusal:
        if refusal.limit is CODE_PER_ADDRESS:  # others' failures: not hers to be told of
            message = _(
                "Có quá nhiều lần nhập sai mã điểm danh từ mạng bạn đang dùng. "
                "Hãy đợi %(wait)s rồi thử lại."
            )
        else:
            message = _("Bạn đã nhập sai mã nhiều lần. Hãy đợi %(wait)s rồi thử lại.")
        raise _refused(
            actor,
            None,
            TooManyAttempts(
                message % {"wait": wait_for_people(refusal.wait_seconds)},
                retry_after_seconds=refusal.wait_seconds,
            ),
        ) from refusal
    code = typed_code_normalise(code)  # full-width or Arabic-Indic digits, "123 456"
    candidates = list(
        Session.objects.select_related("offering")
        .filter(
            offering__enrollments__learner_id=actor.pk,
            offering__enrollments__status=EnrollmentStatus.ACTIVE,
            starts_at__lte=now + OPENS_BEFORE,
            ends_at__gte=now - timedelta(seconds=TOKEN_SECONDS),
        )
        .distinct()
    )
    windows = (_window(now), _window(now) - 1)
    for session in candidates:
        if any(hmac.compare_digest(checkin_code(session=session, window=w), code) for w in windows):
            try:
                mark = _check_in(actor=actor, session=session, now=now)
            except DomainError:
                attempt.withdraw()  # the code was right: refused for another reason
                raise
            attempt.succeeded()
            return mark
    raise _refused(
        actor,
        None,
        TokenInvalid(
            _(
                "Mã không đúng hoặc đã hết hạn, hoặc bạn không có buổi học nào đang diễn ra. "
                "Hãy nhập mã đang hiện trên màn hình."
            )
        ),
    )


def _check_in(*, actor: Any, session: Session, now: datetime) -> AttendanceMark:
    enrollment = Enrollment.objects.filter(
        offering_id=session.offering_id, learner_id=actor.pk, status=EnrollmentStatus.ACTIVE
    ).first()
    if enrollment is None or session.offering.status != OfferingStatus.PUBLISHED:
        raise _refused(
            actor, session, NotEnrolled(_("Bạn chưa đăng ký (hoặc không còn trong) lớp học này."))
        )
    if not _session_is_open(session, now):
        raise _refused(
            actor,
            session,
            OutsideSessionWindow(
                _(
                    "Chỉ điểm danh được trong giờ học: từ 30 phút trước khi buổi học bắt đầu "
                    "đến khi kết thúc."
                )
            ),
        )
    # Two scans at once both reach marks_record, which holds the session's lock: the second
    # finds the mark already present and changes nothing.
    existing = AttendanceMark.objects.filter(session=session, enrollment=enrollment).first()
    if existing is not None and existing.status in ATTENDED_STATUSES:
        raise _refused(
            actor, session, AlreadyCheckedIn(_("Bạn đã được điểm danh có mặt ở buổi học này rồi."))
        )
    marks_record(
        actor=actor,
        marks=[
            MarkInput(
                session_id=session.public_id,
                enrollment_id=enrollment.public_id,
                status=AttendanceStatus.PRESENT,
                marked_at=now,
            )
        ],
        source=MarkSource.QR,
        as_learner=True,
    )
    return AttendanceMark.objects.get(session=session, enrollment=enrollment)
