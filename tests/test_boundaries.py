"""The app boundaries are enforced by import-linter in the lint step; prove it bites."""

import shutil
import subprocess
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
LINT_IMPORTS = shutil.which("lint-imports") or str(Path(BASE_DIR, ".venv/bin/lint-imports"))


def copy_project(destination: Path) -> None:
    for package in ["learnprofile", "profiles", "courses", "credentials"]:
        shutil.copytree(
            BASE_DIR / package,
            destination / package,
            ignore=shutil.ignore_patterns("__pycache__", "tests", "migrations", "*.pyc"),
        )
    shutil.copy(BASE_DIR / "pyproject.toml", destination / "pyproject.toml")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_contracts_hold_on_the_real_tree(tmp_path: Path) -> None:
    copy_project(tmp_path)

    result = lint_imports(tmp_path)

    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "violation"),
    [
        ("profiles/sneaky.py", "import courses.api\n"),
        ("profiles/sneaky.py", "from credentials import api\n"),
        ("courses/sneaky.py", "import credentials.api\n"),
        ("courses/sneaky.py", "from profiles.models import User\n"),
        ("learnprofile/jobs/sneaky.py", "import profiles.api\n"),
    ],
)
def test_a_forbidden_import_makes_the_lint_fail(
    tmp_path: Path, module: str, violation: str
) -> None:
    copy_project(tmp_path)
    (tmp_path / module).write_text(violation)

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "BROKEN" in result.stdout
