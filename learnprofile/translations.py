"""Compiling the translation catalogs (.po to .mo) with Babel, so no GNU gettext is needed.

Used by `manage.py compile_translations` and by the test session (conftest.py), so that
`pytest` alone on a fresh clone runs with the catalogs compiled.
"""

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def catalogs_compile(locale_paths: Iterable[str | Path]) -> int:
    """Compile every `<locale>/LC_MESSAGES/*.po` under `locale_paths` whose .mo is missing or
    older than it; return how many were compiled. Each .mo is written to a temporary file and
    moved into place, so processes compiling at once (pytest-xdist workers) never read half
    of one. Fuzzy entries are left out, as `msgfmt` does. Raises `OSError` when a file cannot
    be read or written, and Babel's `PoFileError` on a malformed catalog."""
    compiled = 0
    for locale_path in locale_paths:
        for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parent.parent.name)
            descriptor, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
            try:
                with os.fdopen(descriptor, "wb") as mo_file:
                    write_mo(mo_file, catalog, use_fuzzy=False)
                os.replace(temporary, mo_path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            compiled += 1
    return compiled
