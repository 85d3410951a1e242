"""Another implementation agrees: Digital Bazaar's libraries (@digitalbazaar/vc with the
eddsa-rdfc-2022 cryptosuite and the Bitstring Status List) verify the credentials issued here
and reach our verifier's verdict on each, through credentials/interop/verify.mjs.

Everything the Node script may load is handed to it: the shipped contexts, the issuer's DID
document and each of its keys (from /issuers/<slug>/did.json) and the status list credentials
(from /credentials/status/<uuid>), all fetched here through Django's test client. Its loader
refuses anything else. `make test` installs the Node packages (`make interop`); without Node or
them these tests fail, they never skip."""

import copy
import json
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.tests.factories import class_close, class_make
from credentials import jsonld
from credentials.models import Credential
from credentials.services import issuance, keys, revocation
from credentials.services.verification import verify_here
from credentials.tests.factories import achievement_make
from profiles import api as profiles_api

pytestmark = pytest.mark.django_db

INTEROP_DIR = Path(__file__).resolve().parent.parent / "interop"
# Node verifies a credential in well under a second; this only stops a hung process.
NODE_TIMEOUT_SECONDS = 300


@pytest.fixture
def world(personas, settings):
    """A closed class of two who both completed it, at the issuer administrator's center; a
    certificate that lasts and one valid for a year, both rewarding its course."""
    settings.SITE_DOMAIN = "hoctap.gov.vn"
    settings.SITE_URL = "https://hoctap.gov.vn"
    center = personas.center_staff.memberships.get().organization
    klass = class_make(center, learners=2, sessions=2)
    class_close(klass, actor=personas.center_staff)

    course = klass.offering.course
    return {
        "class": klass,
        "lasting": achievement_make(center, course),
        "yearly": achievement_make(center, course, valid_for_days=365),
    }


def _issue(world, personas, *, learner=0, achievement="lasting", now=None) -> Credential:
    credential, created = issuance.credential_issue(
        actor=personas.issuer_admin,
        achievement_id=world[achievement].public_id,
        learner_id=world["class"].enrollments[learner].learner_id,
        offering_id=world["class"].offering.public_id,
        now=now,
    )
    assert created
    return credential


def _revoke(personas, credential: Credential) -> None:
    revocation.credential_revoke(
        actor=personas.issuer_admin, credential_id=credential.public_id, reason="Cấp nhầm người."
    )


def _contexts() -> dict[str, Any]:
    return {
        url: json.loads((jsonld.CONTEXT_DIR / name).read_text())
        for url, name in jsonld.CONTEXT_FILES.items()
    }


def _published(client, credentials: list[dict[str, Any]]) -> dict[str, Any]:
    """What a verifier on the Internet would fetch for these credentials, fetched here: the
    issuer's DID document (and each key by its id, with the document's context, as Digital
    Bazaar's loaders serve them) and the status list credentials."""
    documents = _contexts()
    for credential in credentials:
        did = credential["issuer"]["id"]
        slug = did.rsplit(":", 1)[1]
        did_document = client.get(reverse("issuer_did_document", args=[slug])).json()
        documents[did] = did_document
        for method in did_document["verificationMethod"]:
            documents[method["id"]] = {"@context": did_document["@context"], **method}
        list_url = credential["credentialStatus"]["statusListCredential"]
        response = client.get(urlsplit(list_url).path)
        assert response.status_code == 200
        documents[list_url] = response.json()
    return documents


def _digital_bazaar(
    documents: dict[str, Any], credentials: list[dict[str, Any]], now: datetime | None = None
) -> list[dict[str, Any]]:
    """One Node process verifies every credential (at `now`, else at the present time); one
    result (verdict, errors) each."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "Node.js is not installed: run `make interop` (it installs Debian's nodejs and npm, "
            "then the locked packages), as `make test` does."
        )
    if not (INTEROP_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        pytest.fail(
            "The Node packages of credentials/interop are not installed: run `make interop` "
            "(npm ci --prefix credentials/interop), as `make test` does."
        )
    completed = subprocess.run(
        [node, "verify.mjs"],
        input=json.dumps(
            {
                "documents": documents,
                "credentials": credentials,
                **({"now": now.isoformat()} if now is not None else {}),
            }
        ),
        capture_output=True,
        text=True,
        cwd=INTEROP_DIR,
        timeout=NODE_TIMEOUT_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    results: list[dict[str, Any]] = json.loads(completed.stdout)["results"]
    return results


def test_an_issued_credential_is_valid_for_digital_bazaar_as_for_us(
    client, world, personas
) -> None:
    credential = _issue(world, personas).document

    [result] = _digital_bazaar(_published(client, [credential]), [credential])

    assert (verify_here(credential).verdict, result["verdict"]) == ("valid", "valid")
    assert result["errors"] == []


def test_a_revoked_credential_is_revoked_for_digital_bazaar_as_for_us(
    client, world, personas
) -> None:
    standing = _issue(world, personas, learner=0)
    revoked = _issue(world, personas, learner=1)
    _revoke(personas, revoked)
    credentials = [standing.document, revoked.document]

    results = _digital_bazaar(_published(client, credentials), credentials)

    assert [verify_here(credential).verdict for credential in credentials] == ["valid", "revoked"]
    assert [result["verdict"] for result in results] == ["valid", "revoked"]


def test_an_expired_credential_is_expired_for_digital_bazaar_as_for_us(
    client, world, personas
) -> None:
    credential = _issue(
        world, personas, achievement="yearly", now=timezone.now() - timedelta(days=400)
    ).document

    [result] = _digital_bazaar(_published(client, [credential]), [credential])

    assert (verify_here(credential).verdict, result["verdict"]) == ("expired", "expired")
    assert len(result["errors"]) == 1
    assert f'is after "validUntil" ({credential["validUntil"]})' in result["errors"][0]


def test_a_credential_not_yet_valid_is_not_yet_valid_for_digital_bazaar_as_for_us(
    client, world, personas
) -> None:
    credential = _issue(world, personas, now=timezone.now() + timedelta(days=10)).document

    [result] = _digital_bazaar(_published(client, [credential]), [credential])

    assert (verify_here(credential).verdict, result["verdict"]) == (
        "not_yet_valid",
        "not_yet_valid",
    )
    assert len(result["errors"]) == 1
    assert f'is before "validFrom" ({credential["validFrom"]})' in result["errors"][0]


def test_the_node_check_verifies_at_the_time_it_is_given(client, world, personas) -> None:
    credential = _issue(world, personas).document
    valid_from = datetime.fromisoformat(credential["validFrom"])

    day_before = valid_from - timedelta(days=1)

    [result] = _digital_bazaar(_published(client, [credential]), [credential], now=day_before)

    # Checked now, it is valid (the first test): the verdict is the given time's.
    assert result["verdict"] == "not_yet_valid"


def test_a_name_changed_after_signing_is_invalid_for_digital_bazaar_as_for_us(
    client, world, personas
) -> None:
    changed = copy.deepcopy(_issue(world, personas).document)
    [name] = [
        identifier
        for identifier in changed["credentialSubject"]["identifier"]
        if identifier["identityType"] == "name"
    ]
    name["identityHash"] = "Nguyễn Văn Giả"

    [result] = _digital_bazaar(_published(client, [changed]), [changed])

    assert (verify_here(changed).verdict, result["verdict"]) == ("invalid", "invalid")
    assert result["errors"] == ["Invalid signature."]


def test_both_rank_a_failed_proof_then_a_revocation_above_an_expiry(
    client, world, personas
) -> None:
    long_ago = timezone.now() - timedelta(days=400)
    revoked = _issue(world, personas, learner=0, achievement="yearly", now=long_ago)
    _revoke(personas, revoked)
    changed = copy.deepcopy(
        _issue(world, personas, learner=1, achievement="yearly", now=long_ago).document
    )
    changed["credentialSubject"]["result"][0]["value"] = "12.5"
    credentials = [revoked.document, changed]

    results = _digital_bazaar(_published(client, credentials), credentials)

    assert [verify_here(credential).verdict for credential in credentials] == [
        "revoked",
        "invalid",
    ]
    assert [result["verdict"] for result in results] == ["revoked", "invalid"]


def test_a_credential_signed_before_a_key_rotation_is_valid_for_both(
    client, world, personas
) -> None:
    credential = _issue(world, personas).document
    organization = profiles_api.organization_get_by_id(
        organization_id=world["lasting"].organization_id
    )
    keys.signing_key_rotate(actor=None, organization=organization)
    documents = _published(client, [credential])

    [result] = _digital_bazaar(documents, [credential])

    assert (verify_here(credential).verdict, result["verdict"]) == ("valid", "valid")
    # The list was signed with the new key, the credential with the retired one.
    list_url = credential["credentialStatus"]["statusListCredential"]
    assert (
        documents[list_url]["proof"][0]["verificationMethod"]
        != credential["proof"][0]["verificationMethod"]
    )


def test_the_node_check_refuses_to_load_what_it_was_not_given(client, world, personas) -> None:
    credential = _issue(world, personas).document
    documents = _published(client, [credential])
    method = credential["proof"][0]["verificationMethod"]
    del documents[method]

    [result] = _digital_bazaar(documents, [credential])

    assert result["verdict"] == "invalid"
    assert result["errors"] == [
        f'Refused to load "{method}": only the given documents are served (no network).'
    ]


def test_a_status_list_whose_own_proof_fails_cannot_confirm_for_digital_bazaar(
    client, world, personas
) -> None:
    credential = _issue(world, personas)
    list_url = credential.document["credentialStatus"]["statusListCredential"]
    before = _published(client, [credential.document])[list_url]
    _revoke(personas, credential)
    documents = _published(client, [credential.document])
    # The list signed after the revocation, with the bits of before: the revocation hidden.
    documents[list_url]["credentialSubject"]["encodedList"] = before["credentialSubject"][
        "encodedList"
    ]

    [result] = _digital_bazaar(documents, [credential.document])

    assert result["verdict"] == "cannot_confirm"
    assert result["errors"] == [
        '"BitstringStatusListCredential" not verified; reason: Verification error(s).',
        "Invalid signature.",
    ]
