"""How every benchmark reports: each figure printed the moment it is measured, one JSON line last.

`phase("seed")` names the step under way; `figure("rare_word_p95_ms", 12.3, "ms")` prints
`  rare_word_p95_ms = 12.3 ms` at once (flushed) and keeps it; `run("catalog", main)` calls
`main` and, whatever happens, prints the closing line `{"bench": "catalog", ...figures}`.
If `main` raises (or exits non-zero), the line carries the figures measured so far plus
`"failed": "<phase>: <ErrorType>: <message>"` and the process exits with status 1, so
bench/run.py can go on to the next benchmark and list the failed ones at the end.
"""

import json
import sys
import traceback
from collections.abc import Callable
from typing import Any, NoReturn

_figures: dict[str, Any] = {}
_phase = "start"


def phase(name: str) -> None:
    """Name the step now under way (used in `failed` if it raises) and print it."""
    global _phase
    _phase = name
    print(f"-- {name}", flush=True)


def figure(name: str, value: Any, unit: str = "") -> Any:
    """Print one measured figure at once and keep it for the JSON line; returns `value`."""
    _figures[name] = value
    print(f"  {name} = {value}{' ' + unit if unit else ''}", flush=True)
    return value


def figures(values: dict[str, Any]) -> None:
    """`figure()` for each entry not already printed with the same value (derived figures)."""
    for name, value in values.items():
        if name not in _figures or _figures[name] != value:
            figure(name, value)


def run(bench_name: str, main: Callable[[], int | None]) -> NoReturn:
    """Call `main`; always print the JSON line; exit 0, or 1 when `main` failed or returned non-zero."""
    failed = None
    status = 0
    try:
        status = main() or 0
        if status:
            failed = f"{_phase}: exit status {status}"
    except SystemExit as error:  # raise SystemExit("why") in a benchmark is a failure too
        if error.code not in (0, None):
            failed = f"{_phase}: {error.code}"
    except BaseException as error:
        traceback.print_exc()
        failed = f"{_phase}: {type(error).__name__}: {error}"
    finally:
        line: dict[str, Any] = {"bench": bench_name, **_figures}
        if failed is not None:
            line["failed"] = failed
        sys.stderr.flush()
        print(json.dumps(line, ensure_ascii=False), flush=True)
    sys.exit(1 if failed is not None else 0)
