"""Revocation with W3C Bitstring Status List v1.0.

Each credential gets a random, unused position in one of its issuer's lists (unique in the
database). Revoking sets that bit with one SQL `UPDATE ... set_bit(...)`: PostgreSQL applies
concurrent updates of the same row one after the other on its latest version, so no revocation
can overwrite another. The published list is the bitstring GZIP-compressed, base64url without
padding, with the multibase prefix `u`; bit 0 is the most significant bit of the first byte.
"""

import base64
import gzip
import secrets
import uuid
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from credentials import cryptosuite, documents
from credentials.models import STATUS_LIST_SIZE, StatusIndex, StatusList
from credentials.services import keys
from learnprofile.absolute_urls import absolute_url, site_path
from learnprofile.errors import NotFound
from profiles import api as profiles_api

# A list stops taking new positions when this full, so a random free one is found at once.
STATUS_LIST_FILL = 0.5
ALLOCATION_TRIES = 50


class StatusListError(ValueError):
    """A published list that cannot be read (not multibase base64url, not GZIP, too short)."""


def encode_list(bits: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(bits, mtime=0)).decode().rstrip("=")


def decode_list(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise StatusListError("encodedList must be multibase base64url (prefix u).")
    body = encoded[1:]
    try:
        bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, OSError, EOFError) as error:
        raise StatusListError("encodedList is not GZIP-compressed base64url.") from error
    if len(bits) * 8 < STATUS_LIST_SIZE:
        raise StatusListError("The status list is shorter than 131,072 entries.")
    return bits


def bit_is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"Index {index} is outside the status list.")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


@transaction.atomic
def status_index_allocate(*, organization_id: int) -> StatusIndex:
    """A random unused position in the organization's current list (a new list when it is
    half full). Locks that list row while it counts the allocation: call it outside a longer
    transaction, so the lock is held for these few statements only."""
    status_list = (
        StatusList.objects.select_for_update()
        .filter(organization_id=organization_id, allocated__lt=F("size") * STATUS_LIST_FILL)
        .order_by("id")
        .first()
    )
    if status_list is None:
        status_list = StatusList.objects.create(
            organization_id=organization_id, bits=bytes(STATUS_LIST_SIZE // 8)
        )
    for _attempt in range(ALLOCATION_TRIES):
        index = secrets.randbelow(status_list.size)
        try:
            with transaction.atomic():
                position = StatusIndex.objects.create(status_list=status_list, index=index)
        except IntegrityError:
            continue  # taken: draw again (at most half the list is used)
        StatusList.objects.filter(pk=status_list.pk).update(allocated=F("allocated") + 1)
        return position
    raise RuntimeError(f"No free status index found in list {status_list.pk}.")


def status_index_release(*, position: StatusIndex) -> None:
    """Give back a position that no credential took (a concurrent issuance won)."""
    position.delete()


def status_bit_set(*, position: StatusIndex) -> None:
    """Set (revoke) one bit, atomically, whatever else is being revoked at the same time.
    Idempotent."""
    with connection.cursor() as cursor:
        # set_bit numbers bits from the least significant of each byte; the
        # specification numbers them from the most significant.
        bit = (position.index // 8) * 8 + 7 - position.index % 8
        cursor.execute(
            "UPDATE credentials_statuslist SET bits = set_bit(bits, %s, 1), "
            "version = version + 1, updated_at = now() WHERE id = %s AND get_bit(bits, %s) = 0",
            [bit, position.status_list_id, bit],
        )


def status_list_document(
    *, status_list: StatusList, list_url: str, issuer_id: str, valid_from: str
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential of a list."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(bytes(status_list.bits)),
        },
    }


def status_list_signed(*, status_list: StatusList) -> tuple[dict[str, Any], str]:
    """The list's published credential, signed by its issuer's active key, and its ETag.

    Signed once per version of the list (a revocation makes a new version) and kept on the
    row, so a GET reads it and signs nothing; the first GET after a change signs it and stores
    it unless a newer version was stored meanwhile. Raises Organization.DoesNotExist-like
    LookupError when the issuer is gone.
    """
    if status_list.signed_document is not None and status_list.signed_version == (
        status_list.version
    ):
        return status_list.signed_document, _etag(status_list, status_list.version)
    organization = profiles_api.organization_get_by_id(organization_id=status_list.organization_id)
    if organization is None:
        raise LookupError(f"Status list {status_list.public_id} has no issuer.")
    key = keys.signing_key_active(organization=organization)
    now = timezone.now()
    document = status_list_document(
        status_list=status_list,
        list_url=status_list_url(status_list),
        issuer_id=keys.issuer_did(organization),
        valid_from=documents.xsd_datetime(status_list.updated_at),
    )
    signed = cryptosuite.proof_create(
        document=document,
        private_key=keys.signing_key_private(key),
        options=cryptosuite.ProofOptions(
            verification_method=keys.verification_method_id(organization, key),
            created=documents.xsd_datetime(now),
        ),
    )
    StatusList.objects.filter(pk=status_list.pk, version=status_list.version).update(
        signed_document=signed, signed_version=status_list.version
    )
    return signed, _etag(status_list, status_list.version)


def status_list_published(*, list_id: uuid.UUID) -> tuple[dict[str, Any], str]:
    """The published BitstringStatusListCredential of the list with public id `list_id`,
    signed by its issuer (`status_list_signed`: signed once per version of the list), and
    its ETag (`"<list hex>-<version>"`). Raises NotFound for a list that does not exist or
    whose issuer is gone."""
    status_list = StatusList.objects.filter(public_id=list_id).first()
    if status_list is None:
        raise NotFound(_("Không tìm thấy danh sách trạng thái."))
    try:
        return status_list_signed(status_list=status_list)
    except LookupError as error:
        raise NotFound(_("Không tìm thấy danh sách trạng thái.")) from error


def _etag(status_list: StatusList, version: int) -> str:
    return f'"{status_list.public_id.hex}-{version}"'


def status_list_url(status_list: StatusList) -> str:
    """The list's published address, its signed `id`: `<SITE_URL>/credentials/status/<uuid>`."""
    return absolute_url("status_list_credential", kwargs={"list_id": status_list.public_id})


def status_bits_read(url: str) -> bytes | None:
    """The bits of one of this platform's lists, by its published URL; None for any other
    URL (nothing is fetched) or a list that does not exist."""
    path = site_path(url)
    if path is None:
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.url_name != "status_list_credential":
        return None
    public_id = match.kwargs["list_id"]
    found = StatusList.objects.filter(public_id=public_id).values_list("bits", flat=True).first()
    return bytes(found) if found is not None else None
