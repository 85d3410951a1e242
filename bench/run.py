"""Runs every benchmark under bench/ (or the ones named), each in its own process.

Each benchmark prints each figure as soon as it is measured and, last, one JSON line with its
figures (bench/_report.py); a failed one carries `"failed": "<phase>: <error>"` and exits
non-zero. This runner goes on to the next benchmark regardless, then prints which passed and
which failed, and exits 1 if any failed (2 for an unknown name).
"""

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main() -> int:
    names = sys.argv[1:] or sorted(
        path.stem
        for path in BENCH_DIR.glob("*.py")
        if path.stem not in {"run", "__init__"} and not path.stem.startswith(("seed_", "_"))
    )
    unknown = [name for name in names if not (BENCH_DIR / f"{name}.py").exists()]
    if unknown:
        print(f"no benchmark named {', '.join(map(repr, unknown))}", file=sys.stderr)
        return 2
    outcomes: dict[str, str] = {}
    for name in names:
        print(f"== bench {name}", flush=True)
        started = time.monotonic()
        status = subprocess.run(
            [sys.executable, str(BENCH_DIR / f"{name}.py")], cwd=BENCH_DIR.parent, check=False
        ).returncode
        took = f"{time.monotonic() - started:.0f} s"
        outcomes[name] = f"ok ({took})" if status == 0 else f"FAILED, status {status} ({took})"
    print("== summary", flush=True)
    for name, outcome in outcomes.items():
        print(f"  {name:<16} {outcome}")
    failed = [name for name, outcome in outcomes.items() if not outcome.startswith("ok")]
    print(
        f"  {len(names) - len(failed)} of {len(names)} passed"
        + (f"; failed: {', '.join(failed)}" if failed else ""),
        flush=True,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
