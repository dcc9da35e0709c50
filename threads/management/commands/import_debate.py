import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from threads.importers import FORMATS
from threads.importers.parsed import DumpError
from threads.importers.reading import read_dump_file
from threads.services.importing import import_text

# A refused file: the usage-error code, so scripts can tell "bad file" from a crash.
REFUSED = 2
_SUMMARY_KEYS = (
    "thread", "format", "posts", "comments", "duplicates_dropped", "attached_by_quote",
    "roles_inferred", "paragraphs_in", "paragraphs_out", "listing",
)  # fmt: skip


class Command(BaseCommand):
    help = (
        "Import a debate: a raw Motte or LessWrong page dump, a Kialo text outline, or a "
        "Crux JSON export. Prints a report whose last line is one JSON object. A refused "
        "file prints one line and exits with status 2; nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--title", help="Thread title (raw dumps may not carry one).")
        parser.add_argument("--format", choices=FORMATS, default="auto")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and check the file and print the report; write nothing.",
        )
        parser.add_argument(
            "--map-existing",
            action="store_true",
            help="Names in the file that are existing accounts are those people "
            "(without it, such a file is refused).",
        )

    def handle(
        self,
        *args: Any,
        path: str,
        title: str | None,
        format: str,
        dry_run: bool,
        map_existing: bool,
        **options: Any,
    ) -> None:
        try:
            text = read_dump_file(path)
            thread, report = import_text(
                text, fmt=format, title=title, map_existing=map_existing, dry_run=dry_run
            )
        except DumpError as exc:
            message = " ".join(f"{path}: {exc} Nothing was imported.".split())
            raise CommandError(message, returncode=REFUSED) from None
        if thread is None:
            self.stdout.write(f"Dry run of {path}: nothing was written.")
        else:
            self.stdout.write(f"Imported {path} as thread {thread.pk}: {thread.title}")
        for key, value in report.items():
            if key not in ("thread", "dropped", "chrome", "notes") and value not in (None, [], {}):
                self.stdout.write(f"  {key.replace('_', ' ')}: {value}")
        for line in report.get("notes") or ():
            self.stdout.write(f"  note: {line}")
        for line in report.get("dropped") or ():
            self.stdout.write(self.style.WARNING(f"  DROPPED: {line}"))
        summary = {key: report.get(key) for key in _SUMMARY_KEYS}
        summary["dropped"] = len(report.get("dropped") or ())
        self.stdout.write(json.dumps(summary))
