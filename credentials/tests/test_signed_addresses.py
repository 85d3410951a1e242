"""The addresses signed into a credential: each is one of our routes, in its exact shape."""

from urllib.parse import urlsplit

from django.urls import resolve

from courses.tests.factories import class_close, class_make
from credentials.services import issuance
from credentials.tests.factories import achievement_make
from profiles.tests.factories import with_mfa

SITE = "https://hoctap.gov.vn"


def _urls(node) -> set[str]:
    """Every http(s) URL a JSON document names, at any depth."""
    if isinstance(node, dict):
        return set().union(*(_urls(value) for value in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_urls(value) for value in node)) if node else set()
    return {node} if isinstance(node, str) and node.startswith(("http://", "https://")) else set()


def _issued_with_an_image(personas, settings):
    settings.SITE_DOMAIN = "hoctap.gov.vn"
    settings.SITE_URL = SITE
    center = personas.center_staff.memberships.get().organization
    klass = class_make(center, learners=1, sessions=1)
    class_close(klass, actor=personas.center_staff)
    achievement = achievement_make(
        center, klass.offering.course, image_png=b"\x89PNG\r\n\x1a\n-seal-"
    )
    with_mfa(personas.issuer_admin)
    credential, _created = issuance.credential_issue(
        actor=personas.issuer_admin,
        achievement_id=achievement.public_id,
        learner_id=klass.enrollments[0].learner_id,
        offering_id=klass.offering.public_id,
    )
    return credential, achievement, klass.offering


def test_every_address_of_ours_in_a_credential_is_one_of_our_routes(personas, settings) -> None:
    credential, _achievement, _offering = _issued_with_an_image(personas, settings)
    ours = {url for url in _urls(credential.document) if url.startswith(SITE + "/")}

    routes = {resolve(urlsplit(url).path).url_name for url in ours}

    assert routes == {
        "home",
        "credential_page",
        "achievement_page",
        "achievement_image",
        "offering_page",
        "status_list_credential",
    }


def test_the_addresses_signed_into_a_credential_keep_their_shape(personas, settings) -> None:
    credential, achievement, offering = _issued_with_an_image(personas, settings)
    document = credential.document
    status_list = credential.status_index.status_list

    assert document["id"] == f"{SITE}/credentials/{credential.public_id}"
    assert document["issuer"]["url"] == f"{SITE}/"
    assert document["credentialSubject"]["achievement"]["id"] == (
        f"{SITE}/achievements/{achievement.public_id}"
    )
    assert document["credentialSubject"]["achievement"]["image"]["id"] == (
        f"{SITE}/achievements/{achievement.public_id}/image.png"
    )
    assert document["evidence"][0]["id"] == f"{SITE}/courses/offerings/{offering.public_id}"
    assert document["credentialStatus"]["statusListCredential"] == (
        f"{SITE}/credentials/status/{status_list.public_id}"
    )
