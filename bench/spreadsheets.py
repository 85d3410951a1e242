"""The one spreadsheet reader and the two writers (learnprofile.spreadsheets), on a file of the
size staff really upload: 5,000 rows of a credential batch / attendance-like sheet (a phone
number, a Vietnamese name, a code, a date, a status), 5 columns.

- read: `spreadsheet_read` on the same rows as a comma CSV, a semicolon CSV with a BOM (what
  Excel saves on a Vietnamese-locale computer), a tab-separated file and an .xlsx workbook.
  p50 over the runs, in milliseconds, and rows per second.
- write: the same rows written as CSV (`csv_text`) and as .xlsx (`xlsx_bytes`; the rows are all
  text, so every cell is a text cell).
- ratios against the comma CSV, within one run: the figures to compare across machines.

No database: the reader and the writers are pure Python (openpyxl for the workbooks).
"""

import csv
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnprofile.settings.local")

import django

django.setup()

from _report import figure, figures, phase, run  # noqa: E402

from learnprofile.spreadsheets import csv_text, spreadsheet_read, xlsx_bytes  # noqa: E402

ROWS = int(os.environ.get("BENCH_SPREADSHEET_ROWS", "5000"))
RUNS = int(os.environ.get("BENCH_SPREADSHEET_RUNS", "7"))
COLUMNS = ["contact", "full_name", "offering", "date", "status"]
MAX_BYTES = 64 * 1024 * 1024


def _rows() -> list[list[str]]:
    return [
        [
            f"+8491{index:07d}",
            f"Nguyễn Thị Hồng Nhung {index}",
            f"0b6c3a52-1d7e-4a47-9f11-{index:012d}",
            "2026-11-30",
            "có mặt" if index % 3 else "vắng có phép",
        ]
        for index in range(ROWS)
    ]


def _delimited(rows: list[list[str]], separator: str, *, bom: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def _p50_ms(work) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 1)


def main() -> None:
    figure("rows", ROWS)
    figure("runs", RUNS)
    phase("build the files")
    rows = _rows()
    files = {
        "csv_comma": ("batch.csv", _delimited(rows, ",", bom=False)),
        "csv_semicolon_bom": ("batch.csv", _delimited(rows, ";", bom=True)),
        "tsv": ("batch.txt", _delimited(rows, "\t", bom=False)),
        "xlsx": ("batch.xlsx", xlsx_bytes([COLUMNS, *rows])),
    }
    read_ms = {}
    for name, (file_name, content) in files.items():

        def read(file_name: str = file_name, content: bytes = content) -> None:
            sheet = spreadsheet_read(
                content=content,
                file_name=file_name,
                columns=COLUMNS,
                required=["contact"],
                max_bytes=MAX_BYTES,
                max_rows=ROWS,
            )
            if len(sheet.rows) != ROWS or any(row.error for row in sheet.rows):
                raise SystemExit(f"{file_name}: the reader did not give {ROWS} good rows")

        phase(f"read {name}")
        read_ms[name] = figure(f"read_{name}_ms", _p50_ms(read), "ms")
    phase("write csv")
    write_ms = {"csv": figure("write_csv_ms", _p50_ms(lambda: csv_text([COLUMNS, *rows])), "ms")}
    phase("write xlsx")
    write_ms["xlsx"] = figure("write_xlsx_ms", _p50_ms(lambda: xlsx_bytes([COLUMNS, *rows])), "ms")

    phase("summary")

    print(f"{ROWS:,} rows x {len(COLUMNS)} columns, p50 of {RUNS} runs")
    print(f"{'read':<20} {'bytes':>10} {'p50 ms':>9} {'rows/s':>9} {'vs comma':>9}")
    for name, (_file_name, content) in files.items():
        print(
            f"{name:<20} {len(content):>10,} {read_ms[name]:>9} "
            f"{ROWS / read_ms[name] * 1000:>9,.0f} {read_ms[name] / read_ms['csv_comma']:>9.2f}"
        )
    print(f"{'write':<20} {'':>10} {'p50 ms':>9}")
    for name, value in write_ms.items():
        print(f"{name:<20} {'':>10} {value:>9}")
    figures(
        {
            "read_xlsx_vs_csv": round(read_ms["xlsx"] / read_ms["csv_comma"], 2),
            "read_semicolon_vs_comma": round(
                read_ms["csv_semicolon_bom"] / read_ms["csv_comma"], 2
            ),
            "write_xlsx_vs_csv": round(write_ms["xlsx"] / write_ms["csv"], 2),
        }
    )


if __name__ == "__main__":
    run("spreadsheets", main)
