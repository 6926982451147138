"""manage.py load_demo — fill the shop with the demo alliance (safe to run again)."""

from django.core.management.base import BaseCommand

from catalogue.models import Product
from shop.demo.data import DEMO_USERS
from shop.demo.loader import DemoLoader

ROLE_NAMES = {
    "customer": "顾客",
    "team_member": "工作队队员",
    "editor": "编辑",
    "coordinator": "联盟协调员",
    "institution_buyer": "单位采购员",
}


class Command(BaseCommand):
    help = "Load demo teams, villages, households, products, pickup points, pages and users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Only load when no product exists yet."
        )

    def handle(self, *args, **options):

        if options["if_empty"] and Product.objects.exists():
            self.stdout.write("Demo data already present; skipping.")
            # The address may have changed since (``make run PORT=…``): Oscar's e-mails
            # read the Site object's domain, the shop's own links SHOP_BASE_URL.
            DemoLoader(log=self.stdout.write).load_site_domain()
        else:
            DemoLoader(log=self.stdout.write).run()
        self.print_users()

    def print_users(self):

        self.stdout.write("\nDemo users (演示账号):")
        for _username, email, password, role in DEMO_USERS:
            self.stdout.write(
                f"  {ROLE_NAMES[role]:<8} {role:<12} login: {email:<26} password: {password}"
            )
