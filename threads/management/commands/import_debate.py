import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from threads.importers.parsed import DumpError
from threads.importers.reading import read_dump_file
from threads.services.importing import import_text

FORMATS = ("auto", "motte", "lesswrong", "json", "kialo")


class Command(BaseCommand):
    help = (
        "Import a debate: a raw Motte or LessWrong page dump, a Kialo text outline, or a "
        "Crux JSON export. Prints a report whose last line is one JSON object."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--title", help="Thread title (raw dumps may not carry one).")
        parser.add_argument("--format", choices=FORMATS, default="auto")

    def handle(self, *args: Any, path: str, title: str | None, format: str, **options: Any) -> None:
        try:
            text = read_dump_file(path)
            thread, report = import_text(text, fmt=format, title=title)
        except DumpError as exc:
            raise CommandError(f"{path}: {exc} Nothing was imported.") from None
        self.stdout.write(f"Imported {path} as thread {thread.pk}: {thread.title}")
        for key, value in report.items():
            if key not in ("thread", "dropped", "chrome", "notes") and value not in (None, [], {}):
                self.stdout.write(f"  {key.replace('_', ' ')}: {value}")
        for text in report.get("notes") or ():
            self.stdout.write(f"  note: {text}")
        for text in report.get("dropped") or ():
            self.stdout.write(self.style.WARNING(f"  DROPPED: {text}"))
        summary = {
            key: report.get(key)
            for key in (
                "thread", "format", "posts", "comments", "duplicates_dropped",
                "attached_by_quote", "roles_inferred", "paragraphs_in", "paragraphs_out",
            )
        }  # fmt: skip
        summary["dropped"] = len(report.get("dropped") or ())
        self.stdout.write(json.dumps(summary))
