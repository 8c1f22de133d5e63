"""manage.py import_csv topology|authorizations FILE: validate, then apply all rows or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports import runner
from imports.models import Kind
from imports.rows import FileRefused, count_rows

BAR_WIDTH = 40


class Command(BaseCommand):
    help = "Import topology nodes or device authorizations from CSV (formats: README.md, Bulk import)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=Kind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")

    def handle(self, *args, kind: str, file: Path, dry_run: bool, **options):
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        total = count_rows(text)
        self._phase = None
        try:
            summary = runner.run(
                kind=kind, text=text, actor=None, total=total, progress=self._bar, dry_run=dry_run
            )
        except FileRefused as refused:
            self._stream.write("\n")
            for error in refused.report.errors:
                self.stderr.write(f"line {error.line}: {error.field}: {error.reason}")
            more = refused.report.count - len(refused.report.errors)
            tail = f" ({more} more not listed)" if more else ""
            raise CommandError(f"{refused.report.count} bad row(s){tail}: nothing was imported.") from None
        self._stream.write("\n")
        if dry_run:
            self.stdout.write(f"{total} rows are valid; nothing was written (--dry-run).")
        else:
            written = ", ".join(f"{name}: {count}" for name, count in summary.items())
            self.stdout.write(self.style.SUCCESS(f"Imported {file.name}: {written}."))

    def _bar(self, phase: str, done: int, total: int) -> None:
        """One line redrawn in place: ``applying   [#######-----]  58%  58000/100000``."""
        if self._phase not in (None, phase):
            self._stream.write("\n")
        self._phase = phase
        share = done / total if total else 1
        filled = int(share * BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self._stream.write(f"\r{phase:<10} [{bar}] {share:4.0%}  {done}/{total}")
        self._stream.flush()

    @property
    def _stream(self):
        """The terminal stream under stderr: the bar redraws one line, without Django's line endings."""
        return self.stderr._out
