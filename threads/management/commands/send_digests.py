"""Send the notification digests that are due (Celery beat runs this hourly as the task
threads.send_digests); `--now` sends each user's pending digest regardless of schedule."""

from django.core.management.base import BaseCommand, CommandParser

from threads.services.mail import send_digests


class Command(BaseCommand):
    help = "Send every digest that is due (daily/weekly per user); --now sends all pending."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Send each pending digest regardless of schedule."
        )

    def handle(self, *args: object, now: bool, **options: object) -> None:
        sent = send_digests(force=now)
        self.stdout.write(f"digests sent: {sent}")
