"""The dependency audit: the lock against the committed advisories (offline, in `make test`),
and `make audit`'s refresh from PyPI's JSON API (here a local server speaking it)."""

import datetime
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from learnprofile.dependency_audit import (
    ACCEPTED_PATH,
    DATABASE_PATH,
    accepted_load,
    audit_findings,
    database_build,
    locked_packages,
    main,
)

LOCK = """
version = 1
requires-python = ">=3.11"

[[package]]
name = "learnprofile"
version = "0.1.0"
source = { virtual = "." }

[[package]]
name = "Django"
version = "5.2.19"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pyyaml"
version = "6.0.3"
source = { registry = "https://pypi.org/simple" }
"""

ADVISORY = {
    "id": "PYSEC-2026-101",
    "aliases": ["CVE-2026-1111", "GHSA-aaaa-bbbb-cccc"],
    "fixed_in": ["6.0.4"],
    "summary": "Arbitrary code execution when loading untrusted YAML",
    "details": "",
    "link": "https://osv.dev/vulnerability/PYSEC-2026-101",
    "withdrawn": None,
}


def _entry(locked: str, newest: str, *advisories: dict[str, Any]) -> dict[str, Any]:
    return {
        "locked": locked,
        "newest": newest,
        "newest_in_series": newest,
        "yanked": False,
        "yanked_reason": "",
        "advisories": [{**advisory} for advisory in advisories],
    }


PACKAGES = [("django", "5.2.19"), ("pyyaml", "6.0.3")]


# --- The step of `make test` ----------------------------------------------------------------


def test_the_lock_passes_the_audit_against_the_committed_advisories() -> None:
    database = json.loads(DATABASE_PATH.read_text(encoding="utf-8"))

    findings = audit_findings(locked_packages(), database, accepted_load(ACCEPTED_PATH))

    assert [str(finding) for finding in findings] == []


# --- The rules of the check ----------------------------------------------------------------


def test_the_lock_is_read_without_the_project_itself_and_with_canonical_names(
    tmp_path: Path,
) -> None:
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK, encoding="utf-8")

    assert locked_packages(lock) == PACKAGES


def test_a_clean_lock_passes() -> None:
    database = {
        "packages": {
            "django==5.2.19": _entry("5.2.19", "6.1.3"),
            "pyyaml==6.0.3": _entry("6.0.3", "6.0.3"),
        }
    }

    assert audit_findings(PACKAGES, database, []) == []


def test_a_locked_version_missing_from_the_database_fails() -> None:
    database = {
        "packages": {
            "django==5.2.18": _entry("5.2.18", "6.1.3"),
            "pyyaml==6.0.3": _entry("6.0.3", "6.0.3"),
        }
    }

    findings = audit_findings(PACKAGES, database, [])

    assert [str(finding) for finding in findings] == [
        "django==5.2.19: not in the advisory database: run `make audit`"
    ]


def test_an_advisory_of_the_locked_newest_release_fails_naming_it_and_its_fix() -> None:
    database = {
        "packages": {
            "django==5.2.19": _entry("5.2.19", "6.1.3"),
            "pyyaml==6.0.3": _entry("6.0.3", "6.0.3", {**ADVISORY, "fixed_in": []}),
        }
    }

    findings = audit_findings(PACKAGES, database, [])

    assert [str(finding) for finding in findings] == [
        "pyyaml==6.0.3: PYSEC-2026-101 (CVE-2026-1111, GHSA-aaaa-bbbb-cccc; fixed in: no fixed "
        "release yet): Arbitrary code execution when loading untrusted YAML "
        "https://osv.dev/vulnerability/PYSEC-2026-101"
    ]


def test_an_advisory_of_a_newer_release_counts_for_an_older_locked_one() -> None:
    database = {
        "packages": {
            "django==5.2.19": _entry("5.2.19", "6.1.3", {**ADVISORY, "fixed_in": ["6.1.4"]}),
            "pyyaml==6.0.3": _entry("6.0.3", "6.0.3"),
        }
    }

    findings = audit_findings(PACKAGES, database, [])

    assert [finding.package for finding in findings] == ["django==5.2.19"]


def test_an_advisory_fixed_in_the_locked_series_at_or_below_the_locked_version_does_not_apply() -> (
    None
):
    database = {
        "packages": {
            "django==5.2.19": _entry(
                "5.2.19", "6.1.3", {**ADVISORY, "fixed_in": ["5.2.19", "6.1.4"]}
            ),
            "pyyaml==6.0.3": _entry("6.0.3", "6.0.3"),
        }
    }

    assert audit_findings(PACKAGES, database, []) == []


def test_a_withdrawn_advisory_is_ignored() -> None:
    database = {
        "packages": {
            "django==5.2.19": _entry("5.2.19", "6.1.3"),
            "pyyaml==6.0.3": _entry(
                "6.0.3", "6.0.3", {**ADVISORY, "withdrawn": "2026-11-30T00:00:00Z"}
            ),
        }
    }

    assert audit_findings(PACKAGES, database, []) == []


@pytest.mark.parametrize("named_as", ["PYSEC-2026-101", "CVE-2026-1111", "GHSA-aaaa-bbbb-cccc"])
def test_an_advisory_accepted_with_a_reason_passes(named_as: str) -> None:
    database = {
        "packages": {
            "django==5.2.19": _entry("5.2.19", "6.1.3"),
            "pyyaml==6.0.3": _entry("6.0.3", "6.0.3", ADVISORY),
        }
    }
    accepted = [{"package": "PyYAML", "advisory": named_as, "reason": "We load only safe_load."}]

    assert audit_findings(PACKAGES, database, accepted) == []


def test_an_acceptance_without_a_reason_fails_and_accepts_nothing() -> None:
    database = {
        "packages": {
            "django==5.2.19": _entry("5.2.19", "6.1.3"),
            "pyyaml==6.0.3": _entry("6.0.3", "6.0.3", ADVISORY),
        }
    }
    accepted = [{"package": "pyyaml", "advisory": "PYSEC-2026-101", "reason": " "}]

    findings = audit_findings(PACKAGES, database, accepted)

    assert [str(finding).split(":")[0:2] for finding in findings] == [
        ["pyyaml", " the acceptance of PYSEC-2026-101 gives no reason"],
        ["pyyaml==6.0.3", " PYSEC-2026-101 (CVE-2026-1111, GHSA-aaaa-bbbb-cccc; fixed in"],
    ]


def test_an_acceptance_that_matches_no_advisory_any_more_fails() -> None:
    database = {
        "packages": {
            "django==5.2.19": _entry("5.2.19", "6.1.3"),
            "pyyaml==6.0.3": _entry("6.0.3", "6.0.3"),
        }
    }
    accepted = [{"package": "pyyaml", "advisory": "PYSEC-2026-101", "reason": "safe_load only"}]

    findings = audit_findings(PACKAGES, database, accepted)

    assert [str(finding) for finding in findings] == [
        "pyyaml: the acceptance of PYSEC-2026-101 matches no advisory of a locked version any "
        "more: remove it"
    ]


def test_a_yanked_locked_release_fails_with_the_reason() -> None:
    yanked = {**_entry("6.0.3", "6.0.3"), "yanked": True, "yanked_reason": "broken wheel"}
    database = {"packages": {"django==5.2.19": _entry("5.2.19", "6.1.3"), "pyyaml==6.0.3": yanked}}

    findings = audit_findings(PACKAGES, database, [])

    assert [str(finding) for finding in findings] == [
        "pyyaml==6.0.3: this release was yanked from PyPI (broken wheel)"
    ]


# --- `make audit`: the refresh from PyPI's JSON API -----------------------------------------


def _document(
    newest: str, releases: dict[str, list[dict[str, Any]]], vulnerabilities: list[dict[str, Any]]
) -> dict[str, Any]:
    return {"info": {"version": newest}, "releases": releases, "vulnerabilities": vulnerabilities}


DOCUMENTS = {
    "/pypi/django/json": _document(
        "6.1.3",
        {
            "5.2.19": [{"yanked": False}],
            "5.2.20": [{"yanked": True}],  # yanked: not a release of the series to move to
            "6.0rc1": [{"yanked": False}],
            "6.1.3": [{"yanked": False}],
        },
        [],
    ),
    "/pypi/pyyaml/json": _document(
        "6.0.3",
        {"6.0.2": [{"yanked": False}], "6.0.3": [{"yanked": False}]},
        [{**ADVISORY, "fixed_in": []}],
    ),
}


class _Index(BaseHTTPRequestHandler):
    documents: dict[str, dict[str, Any]] = DOCUMENTS

    def do_GET(self) -> None:
        document = self.documents.get(self.path)
        body = json.dumps(document).encode() if document is not None else b""
        self.send_response(200 if document is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def index() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Index)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/pypi"
    finally:
        server.shutdown()
        server.server_close()


def test_refresh_records_each_locked_package_from_the_json_api(index: str) -> None:
    database = database_build(PACKAGES, index_url=index, today=datetime.date(2026, 12, 1))

    assert database["fetched_on"] == "2026-12-01"
    assert database["packages"] == {
        "django==5.2.19": _entry("5.2.19", "6.1.3") | {"newest_in_series": "5.2.19"},
        "pyyaml==6.0.3": _entry(
            "6.0.3",
            "6.0.3",
            {
                "id": "PYSEC-2026-101",
                "aliases": ["CVE-2026-1111", "GHSA-aaaa-bbbb-cccc"],
                "fixed_in": [],
                "summary": "Arbitrary code execution when loading untrusted YAML",
                "link": "https://osv.dev/vulnerability/PYSEC-2026-101",
                "withdrawn": None,
            },
        ),
    }


def test_make_audit_writes_the_database_and_fails_on_the_advisory_it_found(
    index: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK, encoding="utf-8")
    database_path = tmp_path / "advisories.json"

    accepted = tmp_path / "none.toml"

    status = main(
        [
            *("refresh", "--lock", str(lock), "--database", str(database_path)),
            *("--accepted", str(accepted), "--index-url", index),
        ]
    )

    assert status == 1
    assert sorted(json.loads(database_path.read_text(encoding="utf-8"))["packages"]) == [
        "django==5.2.19",
        "pyyaml==6.0.3",
    ]
    assert "pyyaml==6.0.3: PYSEC-2026-101" in capsys.readouterr().err


def test_make_audit_writes_nothing_when_a_package_cannot_be_read(
    index: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK.replace('name = "pyyaml"', 'name = "not-on-this-index"'), encoding="utf-8")
    database_path = tmp_path / "advisories.json"

    status = main(
        ["refresh", "--lock", str(lock), "--database", str(database_path), "--index-url", index]
    )

    assert status == 1
    assert not database_path.exists()
    assert "PyPI's JSON API could not be read (HTTP Error 404" in capsys.readouterr().err
