from django.core.management.base import BaseCommand

from shop.desk.roles import setup_roles


class Command(BaseCommand):
    help = "Create or top up the four roles (团队队员, 联盟协调员, 编辑, 顾客) with their exact permissions."

    def handle(self, *args, **options):
        groups = setup_roles()
        for name, group in groups.items():
            self.stdout.write(f"{name}: {group.permissions.count()} permissions")
