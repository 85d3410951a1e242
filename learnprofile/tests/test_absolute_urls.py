"""Absolute URLs of this platform: SITE_URL + reverse(), in learnprofile.absolute_urls only."""

import re
import uuid
from pathlib import Path

import pytest
from django.urls import NoReverseMatch

from learnprofile.absolute_urls import absolute_url, site_path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_PACKAGES = ("profiles", "notices", "courses", "credentials", "learnprofile")
ID = uuid.UUID("0b5a3c8e-6f1d-4e2a-9c7b-1d2e3f4a5b6c")

# An f-string that writes an http(s) address, or a scheme before "://", by hand.
HAND_BUILT = re.compile(r"""\bf(["'])[^"'\n]*?(?:https?://|\}://)""")
# SITE_URL is read by the helper only (and defined by the settings).
SITE_URL_READ = re.compile(r"settings\.SITE_URL\b")
# Addresses that are not this platform's pages, each with its reason.
NOT_OURS = {
    # Another host's did:web document (DID Web Method 3.2): its host is in the DID.
    "credentials/services/resolution.py",
    # Prints the developer's local server address on start.
    "learnprofile/devstack.py",
}


@pytest.fixture(autouse=True)
def _site(settings) -> None:
    settings.SITE_URL = "https://hoctap.gov.vn"


def test_absolute_url_is_the_site_url_followed_by_the_route_path() -> None:
    assert absolute_url("credential_page", kwargs={"credential_id": ID}) == (
        "https://hoctap.gov.vn/credentials/0b5a3c8e-6f1d-4e2a-9c7b-1d2e3f4a5b6c"
    )


def test_absolute_url_takes_positional_route_arguments() -> None:
    assert absolute_url("achievement_page", args=[ID]) == (
        "https://hoctap.gov.vn/achievements/0b5a3c8e-6f1d-4e2a-9c7b-1d2e3f4a5b6c"
    )


def test_absolute_url_appends_a_percent_encoded_query() -> None:
    assert absolute_url("catalog", query={"q": "tiếng Anh", "page": "2"}) == (
        "https://hoctap.gov.vn/courses/?q=ti%E1%BA%BFng+Anh&page=2"
    )


def test_absolute_url_of_a_route_that_does_not_exist_raises() -> None:
    with pytest.raises(NoReverseMatch):
        absolute_url("credential_page", kwargs={"credential_id": "not-a-uuid"})


def test_the_addresses_signed_into_credentials_keep_their_exact_shape() -> None:
    """What was signed must stay byte for byte what the helper builds for the same route."""
    site = "https://hoctap.gov.vn"
    assert absolute_url("home") == f"{site}/"
    assert absolute_url("credential_page", kwargs={"credential_id": ID}) == (
        f"{site}/credentials/{ID}"
    )
    assert absolute_url("achievement_page", kwargs={"achievement_id": ID}) == (
        f"{site}/achievements/{ID}"
    )
    assert absolute_url("achievement_image", kwargs={"achievement_id": ID}) == (
        f"{site}/achievements/{ID}/image.png"
    )
    assert absolute_url("offering_page", kwargs={"offering_id": ID}) == (
        f"{site}/courses/offerings/{ID}"
    )
    assert absolute_url("status_list_credential", kwargs={"list_id": ID}) == (
        f"{site}/credentials/status/{ID}"
    )


def test_site_path_is_the_path_of_an_address_of_this_platform() -> None:
    assert site_path(f"https://hoctap.gov.vn/credentials/status/{ID}") == (
        f"/credentials/status/{ID}"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://other.example/credentials/status/1",
        "https://hoctap.gov.vn.evil.example/credentials/status/1",
        "http://hoctap.gov.vn/credentials/status/1",
        "https://hoctap.gov.vn",
        "",
    ],
)
def test_site_path_of_any_other_address_is_none(url: str) -> None:
    assert site_path(url) is None


def _product_modules() -> list[Path]:
    return sorted(
        path
        for package in PRODUCT_PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if not {"tests", "migrations", "settings"} & set(path.relative_to(ROOT).parts)
    )


def test_no_product_module_builds_an_absolute_url_by_hand() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _product_modules()
        if path.relative_to(ROOT).as_posix() not in NOT_OURS
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if HAND_BUILT.search(line)
    ]

    assert found == [], "use learnprofile.absolute_urls.absolute_url:\n" + "\n".join(found)


def test_only_the_helper_reads_site_url() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _product_modules()
        if path.relative_to(ROOT).as_posix() != "learnprofile/absolute_urls.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if SITE_URL_READ.search(line)
    ]

    assert found == [], "use learnprofile.absolute_urls:\n" + "\n".join(found)


def test_no_product_module_builds_an_absolute_url_from_the_request() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _product_modules()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "build_absolute_uri(" in line or re.search(r"request\.scheme\b.*://", line)
    ]

    assert found == [], "use learnprofile.absolute_urls.absolute_url:\n" + "\n".join(found)


def test_no_template_writes_an_address_from_the_request() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "templates").rglob("*"))
        if path.is_file() and path.suffix in {".html", ".txt"}
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "request.scheme" in line or "request.get_host" in line
    ]

    assert found == [], "pass an address built by absolute_url:\n" + "\n".join(found)
