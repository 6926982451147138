"""``manage.py place_standing_orders``: what beat's ``place_due_standing_orders`` does, for a
shop run without a broker (cron every minute). Safe to run twice."""

from django.core.management.base import BaseCommand

from shop.standing import placing


class Command(BaseCommand):
    help = "Place the standing orders of runs whose cut-off is less than 10 minutes away."

    def handle(self, *args, **options):
        decided = placing.place_due()
        self.stdout.write(f"{decided} standing order(s) decided.")
