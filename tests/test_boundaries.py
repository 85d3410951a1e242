"""The app boundaries are enforced by import-linter in the lint step; prove it bites.

The contracts (pyproject.toml, docs/decisions/0011-app-boundaries.md) are an allowlist: an app
may import another app's `api` and `data` modules only, so a module added to an app is private
to it without anyone editing the contracts. Each test lints a copy of the five packages.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
LINT_IMPORTS = shutil.which("lint-imports") or str(Path(BASE_DIR, ".venv/bin/lint-imports"))


def copy_project(destination: Path) -> None:
    for package in ["learnprofile", "profiles", "notices", "courses", "credentials"]:
        shutil.copytree(
            BASE_DIR / package,
            destination / package,
            ignore=shutil.ignore_patterns("__pycache__", "tests", "migrations", "*.pyc"),
        )
    shutil.copy(BASE_DIR / "pyproject.toml", destination / "pyproject.toml")


def write_module(root: Path, module: str, source: str) -> None:
    """Write `module` (a path such as "credentials/tests/test_x.py"), making its package."""
    path = root / module
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / "__init__.py").touch()
    path.write_text(source)


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "COLUMNS": "500"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_contracts_hold_on_the_real_tree(tmp_path: Path) -> None:
    copy_project(tmp_path)

    result = lint_imports(tmp_path)

    assert result.returncode == 0, result.stdout


def test_a_new_courses_module_imported_from_credentials_makes_the_lint_fail(
    tmp_path: Path,
) -> None:
    copy_project(tmp_path)
    write_module(tmp_path, "courses/newthing.py", "VALUE = 1\n")
    write_module(tmp_path, "credentials/uses_newthing.py", "from courses import newthing\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "credentials.uses_newthing -> courses.newthing" in result.stdout


@pytest.mark.parametrize(
    ("module", "violation", "named"),
    [
        ("profiles/sneaky.py", "import courses.api\n", "profiles.sneaky -> courses.api"),
        (
            "profiles/sneaky.py",
            "from credentials import api\n",
            "profiles.sneaky -> credentials.api",
        ),
        ("courses/sneaky.py", "import credentials.api\n", "courses.sneaky -> credentials.api"),
        (
            "courses/sneaky.py",
            "from profiles.models import User\n",
            "courses.sneaky -> profiles.models",
        ),
        (
            "courses/sneaky.py",
            "from profiles import timeline\n",
            "courses.sneaky -> profiles.timeline",
        ),
        (
            "credentials/tests/test_sneaky.py",
            "from courses.models import Offering\n",
            "credentials.tests.test_sneaky -> courses.models",
        ),
        ("learnprofile/jobs/sneaky.py", "import profiles.api\n", "profiles.api"),
        ("learnprofile/sneaky.py", "import courses.api\n", "courses.api"),
        ("profiles/sneaky.py", "from notices import api\n", "profiles.sneaky -> notices.api"),
        ("notices/sneaky.py", "import courses.api\n", "notices.sneaky -> courses.api"),
        (
            "notices/sneaky.py",
            "from profiles.models import User\n",
            "notices.sneaky -> profiles.models",
        ),
        (
            "courses/sneaky.py",
            "from notices.models import Notification\n",
            "courses.sneaky -> notices.models",
        ),
        ("learnprofile/sneaky.py", "import notices.api\n", "notices.api"),
    ],
)
def test_a_forbidden_import_makes_the_lint_fail(
    tmp_path: Path, module: str, violation: str, named: str
) -> None:
    copy_project(tmp_path)
    write_module(tmp_path, module, violation)

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert named in result.stdout


@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        ("credentials/uses_courses.py", "from courses import api, data\n"),
        ("courses/uses_profiles.py", "from profiles import api, data\n"),
        ("courses/uses_notices.py", "from notices import api, data\n"),
        ("credentials/uses_notices.py", "from notices import api, data\n"),
        ("notices/uses_profiles.py", "from profiles import api, data\n"),
        (
            "credentials/tests/test_allowed.py",
            "from courses.tests import factories\nfrom profiles.tests import factories as p\n",
        ),
    ],
)
def test_another_apps_api_and_data_may_be_imported(
    tmp_path: Path, module: str, allowed: str
) -> None:
    copy_project(tmp_path)
    write_module(tmp_path, "courses/tests/factories.py", "")
    write_module(tmp_path, "profiles/tests/factories.py", "")
    write_module(tmp_path, module, allowed)

    result = lint_imports(tmp_path)

    assert result.returncode == 0, result.stdout
