"""Reading a CSV file into numbered rows, and the report of what is wrong with them."""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

#: A report lists this many bad rows at most; the count says how many there were.
MAX_REPORTED_ERRORS = 1000
#: Progress is reported every this many rows.
PROGRESS_EVERY = 5000

Progress = Callable[[int], None]


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


class Report:
    """Every bad row found, in file order."""

    def __init__(self):
        self.errors: list[RowError] = []
        self.count = 0

    def add(self, line: int, field: str, reason: str) -> None:
        self.count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line, field, reason))

    def __bool__(self) -> bool:
        return self.count > 0


class FileRefused(Exception):
    """The file has bad rows: nothing was written."""

    def __init__(self, report: Report):
        report.errors.sort(key=lambda error: error.line)
        self.report = report
        first = report.errors[0]
        super().__init__(
            f"{report.count} bad row(s); first: line {first.line}, {first.field}: {first.reason}"
        )


def read_rows(text: str, *, columns: tuple[str, ...], report: Report) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row; a header without ``columns`` is reported on line 1.

    Line numbers are the file's own (the header is line 1), so an operator finds the row in an editor.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if missing := [c for c in columns if c not in header]:
        report.add(1, ",".join(missing), f"Missing column(s); the header must name {', '.join(columns)}.")
        return
    reader.fieldnames = header
    for row in reader:
        if None in row:
            report.add(reader.line_num, "", f"More values than the {len(header)} columns of the header.")
            continue
        yield reader.line_num, {key: (value or "").strip() for key, value in row.items()}


def count_rows(text: str) -> int:
    """Data rows in the file, for the progress bar (a quoted newline may make it an overestimate)."""
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    return max(lines - 1, 0)
