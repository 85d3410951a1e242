"""The dependency audit: every package of uv.lock against the advisories PyPI publishes.

Two steps, so the test run needs no network:
- `refresh` (`make audit`, online): for each package of the lock, PyPI's JSON API
  (`GET <index>/<name>/json`, the only one of its JSON documents the registry these machines
  reach serves) gives the project's newest release, its release list and the advisories of that
  newest release: PyPI's `vulnerabilities` field, taken from OSV (the PyPA advisory database,
  GitHub's advisories). The result is written, sorted, to `docs/security/python-advisories.json`
  and committed.
- `check` (a test of `make test`, offline): the lock against that file. It fails when a locked
  package or version is missing from the file (the lock changed since the last `make audit`),
  when an advisory applies to a locked version and is not accepted with a reason in
  `docs/security/accepted-advisories.toml`, and when an acceptance matches nothing any more.

What PyPI's project document can tell: the advisories of the newest release. For a package
locked at its newest release that is exact. For one locked behind it (a long-term-support
series, a pin), an advisory listed for the newest release counts as applying unless one of its
fixed versions in the same series is at or below the locked one; an advisory fixed by a later
release is invisible here (PyPI serves per-release advisories at `<index>/<name>/<version>/json`,
which this registry answers 404). `refresh` therefore also records whether a newer release of
the locked series exists, and prints those packages: a patch release is where such fixes land.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

BASE_DIR = Path(__file__).resolve().parent.parent
LOCK_PATH = BASE_DIR / "uv.lock"
DATABASE_PATH = BASE_DIR / "docs" / "security" / "python-advisories.json"
ACCEPTED_PATH = BASE_DIR / "docs" / "security" / "accepted-advisories.toml"
INDEX_URL = os.environ.get("AUDIT_PYPI_JSON_URL", "https://pypi.org/pypi")
FETCH_TIMEOUT_SECONDS = 30.0
FETCH_THREADS = 8


@dataclass(frozen=True)
class Finding:
    """One reason the audit fails: the package, and what is wrong, for a person to read."""

    package: str
    message: str

    def __str__(self) -> str:
        return f"{self.package}: {self.message}"


def locked_packages(lock_path: Path = LOCK_PATH) -> list[tuple[str, str]]:
    """(canonical name, version) of every package uv.lock takes from a registry, sorted; the
    project itself (virtual or editable) and packages from a path or a Git URL are left out,
    as PyPI holds no advisory for them. A name locked at two versions (forked resolution)
    appears twice."""
    lock = tomllib.loads(lock_path.read_text(encoding="utf-8"))
    return sorted(
        {
            (canonicalize_name(package["name"]), str(package["version"]))
            for package in lock.get("package", [])
            if "registry" in package.get("source", {})
        }
    )


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _series(version: Version) -> tuple[int, ...]:
    return version.release[:2]


def _advisory(vulnerability: Mapping[str, Any]) -> dict[str, Any]:
    summary = vulnerability.get("summary") or (vulnerability.get("details") or "").strip()
    return {
        "id": vulnerability.get("id", ""),
        "aliases": sorted(vulnerability.get("aliases") or []),
        "fixed_in": sorted(
            vulnerability.get("fixed_in") or [],
            key=lambda text: (_version(text) or Version("0"), text),
        ),
        "summary": " ".join(summary.split())[:300],
        "link": vulnerability.get("link") or "",
        "withdrawn": vulnerability.get("withdrawn"),
    }


def project_entry(document: Mapping[str, Any], locked_version: str) -> dict[str, Any]:
    """What the audit keeps of a PyPI project document (the JSON API's `/<name>/json`) for a
    package locked at `locked_version`: the newest release, the newest release of the locked
    series (same major.minor, no pre-release, not yanked), whether the locked release was
    yanked and why, and the advisories PyPI lists for the newest release."""
    releases: Mapping[str, list[Mapping[str, Any]]] = document.get("releases") or {}
    locked = _version(locked_version)
    newest_in_series = locked_version
    if locked is not None:
        candidates = [
            version
            for text, files in releases.items()
            if (version := _version(text)) is not None
            and not version.is_prerelease
            and _series(version) == _series(locked)
            and version > locked
            and files
            and not all(file.get("yanked") for file in files)
        ]
        if candidates:
            newest_in_series = str(max(candidates))
    locked_files = releases.get(locked_version) or []
    yanked = bool(locked_files) and all(file.get("yanked") for file in locked_files)
    return {
        "locked": locked_version,
        "newest": str((document.get("info") or {}).get("version") or ""),
        "newest_in_series": newest_in_series,
        "yanked": yanked,
        "yanked_reason": (locked_files[0].get("yanked_reason") or "") if yanked else "",
        "advisories": sorted(
            (_advisory(vulnerability) for vulnerability in document.get("vulnerabilities") or []),
            key=lambda advisory: advisory["id"],
        ),
    }


def _fetch_document(name: str, index_url: str) -> dict[str, Any]:
    url = f"{index_url.rstrip('/')}/{name}/json"
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as answer:  # noqa: S310
        document: dict[str, Any] = json.load(answer)
    return document


def database_build(
    packages: Iterable[tuple[str, str]], *, index_url: str = INDEX_URL, today: datetime.date
) -> dict[str, Any]:
    """The advisory database for `packages`, fetched from PyPI's JSON API at `index_url`
    (a few requests at once, 30 s each at most). Raises urllib.error.URLError (HTTPError for
    a package the index does not know) when a document cannot be had: the file is written
    whole or not at all."""
    packages = list(packages)
    names = sorted({name for name, _ in packages})
    with ThreadPoolExecutor(max_workers=FETCH_THREADS) as pool:
        documents = dict(
            zip(names, pool.map(lambda name: _fetch_document(name, index_url), names), strict=True)
        )
    entries: dict[str, dict[str, Any]] = {}
    for name, version in packages:
        entries[f"{name}=={version}"] = project_entry(documents[name], version)
    return {
        "about": (
            "Advisories PyPI publishes (OSV: PyPA advisory database, GitHub advisories) for the "
            "newest release of each package of uv.lock, fetched by `make audit` from "
            f"{index_url}/<name>/json. See learnprofile/dependency_audit.py."
        ),
        "fetched_on": today.isoformat(),
        "packages": dict(sorted(entries.items())),
    }


def accepted_load(path: Path = ACCEPTED_PATH) -> list[dict[str, str]]:
    """The accepted advisories: `[[accepted]]` tables with `package`, `advisory` (its id or
    an alias) and `reason`. A missing file accepts nothing."""
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [{key: str(value) for key, value in entry.items()} for entry in data.get("accepted", [])]


def advisory_applies(advisory: Mapping[str, Any], entry: Mapping[str, Any]) -> bool:
    """Whether an advisory listed for the newest release is taken to apply to the locked one:
    not when withdrawn; always when the locked release is the newest; otherwise unless one of
    its fixed versions of the locked series is at or below the locked version."""
    if advisory.get("withdrawn"):
        return False
    if entry["locked"] == entry["newest"]:
        return True
    locked = _version(entry["locked"])
    if locked is None:
        return True
    for text in advisory.get("fixed_in") or []:
        fixed = _version(text)
        if fixed is not None and _series(fixed) == _series(locked) and fixed <= locked:
            return False
    return True


def audit_findings(
    packages: Iterable[tuple[str, str]],
    database: Mapping[str, Any],
    accepted: list[dict[str, str]],
) -> list[Finding]:
    """Everything wrong with the lock against the committed database and acceptances, in
    lock order; empty when the audit passes. Reads no network."""
    findings: list[Finding] = []
    entries: Mapping[str, Mapping[str, Any]] = database.get("packages") or {}
    used: set[int] = set()
    for index, acceptance in enumerate(accepted):
        if not acceptance.get("reason", "").strip():
            findings.append(
                Finding(
                    acceptance.get("package", "?"),
                    f"the acceptance of {acceptance.get('advisory', '?')} gives no reason",
                )
            )
            used.add(index)
    for name, version in packages:
        entry = entries.get(f"{name}=={version}")
        if entry is None:
            findings.append(
                Finding(f"{name}=={version}", "not in the advisory database: run `make audit`")
            )
            continue
        if entry.get("yanked"):
            findings.append(
                Finding(
                    f"{name}=={version}",
                    f"this release was yanked from PyPI ({entry.get('yanked_reason') or 'no reason given'})",
                )
            )
        for advisory in entry.get("advisories") or []:
            if not advisory_applies(advisory, entry):
                continue
            names = {advisory["id"], *advisory.get("aliases", [])}
            matches = [
                index
                for index, acceptance in enumerate(accepted)
                if canonicalize_name(acceptance.get("package", "")) == name
                and acceptance.get("advisory") in names
                and acceptance.get("reason", "").strip()
            ]
            if matches:
                used.update(matches)
                continue
            fixed = ", ".join(advisory.get("fixed_in") or []) or "no fixed release yet"
            findings.append(
                Finding(
                    f"{name}=={version}",
                    f"{advisory['id']} ({', '.join(advisory.get('aliases') or []) or 'no alias'}; "
                    f"fixed in: {fixed}): {advisory.get('summary', '')} {advisory.get('link', '')}".rstrip(),
                )
            )
    for index, acceptance in enumerate(accepted):
        if index not in used:
            findings.append(
                Finding(
                    acceptance.get("package", "?"),
                    f"the acceptance of {acceptance.get('advisory', '?')} matches no advisory of "
                    "a locked version any more: remove it",
                )
            )
    return findings


def behind_their_series(database: Mapping[str, Any]) -> list[str]:
    """Locked packages with a newer release of the same series (where security fixes land)."""
    return [
        f"{key} (newest of its series: {entry['newest_in_series']}, newest: {entry['newest']})"
        for key, entry in (database.get("packages") or {}).items()
        if entry["newest_in_series"] != entry["locked"]
    ]


def _check(database_path: Path, lock_path: Path, accepted_path: Path) -> int:
    if not database_path.exists():
        print(f"{database_path} is missing: run `make audit`.", file=sys.stderr)
        return 1
    database = json.loads(database_path.read_text(encoding="utf-8"))
    packages = locked_packages(lock_path)
    findings = audit_findings(packages, database, accepted_load(accepted_path))
    covered = sum(
        1
        for name, version in packages
        if (entry := database["packages"].get(f"{name}=={version}"))
        and entry["locked"] == entry["newest"]
    )
    print(
        f"Dependency audit ({database.get('fetched_on')}): {len(packages)} locked packages, "
        f"{covered} at their newest release (PyPI's advisories exact), "
        f"{len(packages) - covered} behind it (advisories of the newest release only)."
    )
    for finding in findings:
        print(f"  {finding}", file=sys.stderr)
    return 1 if findings else 0


def main(argv: list[str] | None = None) -> int:
    """`python -m learnprofile.dependency_audit refresh|check`: exit 0 when the audit passes,
    1 with one line per finding on stderr."""
    parser = argparse.ArgumentParser(prog="python -m learnprofile.dependency_audit")
    parser.add_argument("command", choices=["refresh", "check"])
    parser.add_argument("--lock", type=Path, default=LOCK_PATH)
    parser.add_argument("--database", type=Path, default=DATABASE_PATH)
    parser.add_argument("--accepted", type=Path, default=ACCEPTED_PATH)
    parser.add_argument("--index-url", default=INDEX_URL)
    arguments = parser.parse_args(argv)
    if arguments.command == "refresh":
        try:
            database = database_build(
                locked_packages(arguments.lock),
                index_url=arguments.index_url,
                today=datetime.datetime.now(datetime.UTC).date(),
            )
        except (urllib.error.URLError, TimeoutError) as error:
            print(f"PyPI's JSON API could not be read ({error}); nothing written.", file=sys.stderr)
            return 1
        arguments.database.parent.mkdir(parents=True, exist_ok=True)
        arguments.database.write_text(
            json.dumps(database, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"Wrote {arguments.database} ({len(database['packages'])} packages).")
        for line in behind_their_series(database):
            print(f"  behind its series: {line}")
    return _check(arguments.database, arguments.lock, arguments.accepted)


if __name__ == "__main__":
    raise SystemExit(main())
