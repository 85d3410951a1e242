"""Runs every benchmark under bench/ (or the one named), each in its own process.

Each benchmark prints a human table and, last, one JSON line with its figures.
"""

import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main() -> int:
    names = sys.argv[1:] or sorted(
        path.stem
        for path in BENCH_DIR.glob("*.py")
        if path.stem not in {"run", "__init__"} and not path.stem.startswith(("seed_", "_"))
    )
    failures = 0
    for name in names:
        script = BENCH_DIR / f"{name}.py"
        if not script.exists():
            print(f"no benchmark named {name!r}", file=sys.stderr)
            return 2
        print(f"== bench {name}", flush=True)
        failures += (
            subprocess.run(
                [sys.executable, str(script)], cwd=BENCH_DIR.parent, check=False
            ).returncode
            != 0
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
