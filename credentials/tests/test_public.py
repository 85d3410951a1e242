"""The public side: the signed status list at its stable URL, and the verification API."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from rest_framework.throttling import ScopedRateThrottle

from credentials import cryptosuite
from credentials.services import keys, status
from credentials.tests.test_verify import _issue
from profiles import api as profiles_api

pytestmark = pytest.mark.django_db


@pytest.fixture
def issuer(personas, settings):
    settings.SITE_DOMAIN = "testserver"
    settings.SITE_URL = "http://testserver"
    organization = personas.issuer_admin.memberships.get().organization
    return profiles_api.organization_get(public_id=organization.public_id)


def test_the_status_list_is_a_signed_credential_showing_each_revocation(client, issuer) -> None:
    _signed, position = _issue(issuer)
    url = reverse("status_list_credential", args=[position.status_list.public_id])
    status.status_bit_set(position=position)

    response = client.get(url)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, no-cache"
    document = response.json()
    assert document["id"] == status.status_list_url(position.status_list)
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    bits = status.decode_list(document["credentialSubject"]["encodedList"])
    assert status.bit_is_set(bits, position.index)
    method = document["proof"][0]["verificationMethod"]
    did, multibase = method.split("#")
    assert did == document["issuer"] == keys.issuer_did(issuer)
    public_key = keys.did_web_resolve(did, multibase)
    assert cryptosuite.proof_verify(document=document, public_key=public_key)


def test_the_status_list_is_signed_once_per_change_and_answers_its_etag(
    client, issuer, monkeypatch
) -> None:
    _signed, position = _issue(issuer)
    url = reverse("status_list_credential", args=[position.status_list.public_id])
    signatures = []
    real_proof_create = cryptosuite.proof_create

    def counting_proof_create(**kwargs):
        signatures.append(kwargs["document"]["id"])
        return real_proof_create(**kwargs)

    monkeypatch.setattr(cryptosuite, "proof_create", counting_proof_create)

    first = client.get(url)
    second = client.get(url)
    unchanged = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    status.status_bit_set(position=position)
    status.status_bit_set(position=position)  # revoking twice is one change
    after_revocation = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    again = client.get(url)

    assert signatures == [status.status_list_url(position.status_list)] * 2
    assert first.json() == second.json()
    assert first.headers["ETag"] == second.headers["ETag"]
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert after_revocation.status_code == 200
    assert after_revocation.headers["ETag"] != first.headers["ETag"]
    bits = status.decode_list(after_revocation.json()["credentialSubject"]["encodedList"])
    assert status.bit_is_set(bits, position.index)
    assert again.json() == after_revocation.json()


def test_an_unknown_status_list_is_not_found(client) -> None:
    response = client.get(
        reverse("status_list_credential", args=["7f0c2a9e-0000-4000-8000-000000000042"])
    )

    assert response.status_code == 404


def test_the_verify_api_reports_every_check_without_an_account(client, issuer) -> None:
    signed, position = _issue(issuer, valid_from=datetime.now(tz=UTC) - timedelta(days=1))

    valid = client.post(reverse("api_credential_verify"), signed, content_type="application/json")
    status.status_bit_set(position=position)
    revoked = client.post(reverse("api_credential_verify"), signed, content_type="application/json")

    assert valid.status_code == 200
    assert valid.json()["verdict"] == "valid"
    assert {check["name"]: check["outcome"] for check in valid.json()["checks"]} == {
        "schema": "passed",
        "proof": "passed",
        "issuer_key": "passed",
        "status": "passed",
        "validity": "passed",
    }
    assert revoked.json()["verdict"] == "revoked"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [("[1, 2]", "application/json", 200), ("{not json", "application/json", 400)],
    ids=["not-an-object", "not-json"],
)
def test_the_verify_api_answers_garbage_without_a_server_error(
    client, body, content_type, expected
) -> None:
    response = client.post(reverse("api_credential_verify"), body, content_type=content_type)

    assert response.status_code == expected
    if expected == 200:
        assert response.json()["verdict"] == "invalid"


def test_the_verify_api_is_rate_limited(client, monkeypatch) -> None:
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"credential_verify": "3/min"})

    answers = [
        client.post(reverse("api_credential_verify"), {}, content_type="application/json")
        for _ in range(4)
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
