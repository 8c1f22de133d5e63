"""Check 2030.5 documents against sep.xsd: what a client being onboarded sends, or what it was sent."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from lxml import etree

from csip_api.xml import schema_errors


class Command(BaseCommand):
    help = "Validate 2030.5 XML documents against the schema at CSIP_SCHEMA_PATH; fail if any is invalid."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="A 2030.5 XML document.")

    def handle(self, *args, files, **options):
        schema = settings.CSIP_SCHEMA_PATH
        if not schema:
            raise CommandError(
                "CSIP_SCHEMA_PATH is not set: point it at IEEE's 2030.5 schema (sep.xsd), "
                "which derms cannot ship."
            )
        if not Path(schema).is_file():
            raise CommandError(f"CSIP_SCHEMA_PATH={schema}: no such file")
        invalid = 0
        for path in files:
            problems = document_problems(path)
            invalid += bool(problems)
            for problem in problems or ["valid"]:
                self.stdout.write(f"{path}: {problem}")
        if invalid:
            raise CommandError(f"{invalid} of {len(files)} documents are not valid 2030.5")


def document_problems(path: Path) -> list[str]:
    """Why the document at ``path`` is not valid 2030.5 (empty when it is)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [f"cannot read it: {exc.strerror}"]
    try:
        return schema_errors(data)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
