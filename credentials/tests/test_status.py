"""Bitstring Status List: random unique positions, revocations that never lose a bit, and the
published encoding as the W3C specification reads it."""

import threading

import pytest
from django.db import connection

from credentials.jsonld import canonize
from credentials.models import StatusIndex, StatusList
from credentials.services import status


@pytest.fixture
def organization(personas):
    return personas.issuer_admin.memberships.get().organization


def _bits(status_list: StatusList) -> bytes:
    status_list.refresh_from_db()
    return bytes(status_list.bits)


@pytest.mark.django_db
def test_positions_are_random_and_unique_in_a_list_of_at_least_131072(organization) -> None:
    positions = [status.status_index_allocate(organization_id=organization.id) for _ in range(300)]

    indices = [position.index for position in positions]
    assert len(set(indices)) == 300
    assert indices != sorted(indices)
    status_list = StatusList.objects.get()
    assert status_list.size >= 131_072
    assert len(bytes(status_list.bits)) * 8 == status_list.size
    assert status_list.allocated == 300


@pytest.mark.django_db
def test_revoking_sets_exactly_that_bit_in_the_specifications_order(organization) -> None:
    position = status.status_index_allocate(organization_id=organization.id)
    StatusIndex.objects.filter(pk=position.pk).update(index=9)
    position.refresh_from_db()

    status.status_bit_set(position=position)
    status.status_bit_set(position=position)  # idempotent

    bits = _bits(position.status_list)
    assert bits[1] == 0b0100_0000  # bit 9: the second most significant of byte 1
    assert sum(bin(byte).count("1") for byte in bits) == 1
    assert status.bit_is_set(bits, 9)
    assert not status.bit_is_set(bits, 8)


@pytest.mark.django_db
def test_the_encoded_list_round_trips_and_the_status_credential_is_all_defined_terms(
    organization,
) -> None:
    position = status.status_index_allocate(organization_id=organization.id)
    status.status_bit_set(position=position)
    status_list = StatusList.objects.get()
    status_list.refresh_from_db()

    document = status.status_list_document(
        status_list=status_list,
        list_url="https://hoctap.gov.vn/credentials/status/1",
        issuer_id="did:web:hoctap.gov.vn:issuers:center",
        valid_from="2026-11-23T00:00:00Z",
    )

    encoded = document["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    assert "=" not in encoded
    assert status.bit_is_set(status.decode_list(encoded), position.index)
    canonize(document)


@pytest.mark.parametrize("encoded", ["zabc", "u!!!", "u" + "A" * 20])
def test_an_unreadable_list_is_an_error_not_a_valid_status(encoded) -> None:
    with pytest.raises(status.StatusListError):
        status.decode_list(encoded)


@pytest.mark.django_db(transaction=True)
def test_concurrent_revocations_never_lose_a_bit(organization) -> None:
    positions = [status.status_index_allocate(organization_id=organization.id) for _ in range(40)]
    barrier = threading.Barrier(len(positions))
    errors: list[BaseException] = []

    def revoke(position: StatusIndex) -> None:
        try:
            barrier.wait()
            status.status_bit_set(position=position)
        except BaseException as error:  # every failure is reported
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=revoke, args=(position,)) for position in positions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    bits = _bits(positions[0].status_list)
    assert all(status.bit_is_set(bits, position.index) for position in positions)
    assert sum(bin(byte).count("1") for byte in bits) == 40
