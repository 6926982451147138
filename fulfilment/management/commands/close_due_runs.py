"""Close runs whose order cut-off has passed. Run from cron every few minutes; pages also
close due runs when they are opened, so this only keeps quiet hours tidy."""

from django.core.management.base import BaseCommand

from fulfilment.runs import close_due_runs


class Command(BaseCommand):
    help = "Close delivery runs past their cut-off and share their sales out among households."

    def handle(self, *args, **options):
        closed = close_due_runs()
        self.stdout.write(f"closed {closed} run(s)")
