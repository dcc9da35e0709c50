from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser

from threads.models import User

DEMO_USERNAME = "moderator"
DEMO_PASSWORD = "debate-the-crux"


class Command(BaseCommand):
    help = "Create (or keep) the demo moderator account used by `make run`, and print its login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Allow it with DEBUG off.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to create a demo account with DEBUG off (use --force).")
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "moderator@example.invalid"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name="moderators"))
        state = "created" if created else "already there"
        self.stdout.write(
            f"Demo moderator ({state}): username {DEMO_USERNAME!r}, password {DEMO_PASSWORD!r}"
        )
