import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from threads.importers import parse_dump
from threads.importers.parsed import DumpError
from threads.importers.reading import read_dump_file
from threads.models import Thread
from threads.services.analysis import run_analysis
from threads.services.importing import import_text

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    help = "Import the demo debates and compute their maps and summaries (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for entry in json.loads((DEMO_DIR / "manifest.json").read_text()):
            path = DEMO_DIR / entry["file"]
            try:
                text = read_dump_file(path)
                title = entry["title"] or parse_dump(text, fmt=entry["format"]).title
                existing = Thread.objects.filter(title=title, author__imported=True).first()
                if existing is not None:
                    self.stdout.write(f"Demo debate already there: {existing.title}")
                    continue
                thread, report = import_text(text, fmt=entry["format"], title=title)
            except DumpError as exc:
                self.stderr.write(f"Could not import {path.name}: {exc}")
                continue
            run_analysis(thread.pk)
            self.stdout.write(
                f"Imported {path.name} as “{thread.title}”: {report['posts']} posts, "
                f"{report.get('attached_by_quote', 0)} replies attached by quote."
            )
