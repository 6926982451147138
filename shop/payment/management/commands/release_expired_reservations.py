"""Give back stock held for payments that never completed (run from cron every few minutes)."""

from django.core.management.base import BaseCommand

from shop.partner import reservations


class Command(BaseCommand):
    help = "释放超时未付款的库存保留，并取消对应的待付款订单"

    def handle(self, *args, **options):
        freed = reservations.release_expired()
        self.stdout.write(f"released {freed}")
