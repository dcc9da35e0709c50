from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo debates (idempotent)."

    def handle(self, *args, **options):
        # The debate importer (threads/importers) fills this in; until then there is
        # nothing to load and the site starts empty.
        self.stdout.write("Demo content: nothing to load yet.")
