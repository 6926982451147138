"""``manage.py rebuild_figures [--check]``: the running figures computed again from the
records, by the rules the events apply (``shop.figures.running``), and the figures the
catalogue sorts by (``catalogue.sort_figures``: units handed over, lowest price)."""

from django.core.management.base import BaseCommand, CommandError

from shop.figures import running


class Command(BaseCommand):
    help = "Recompute the running impact and report figures from the orders, runs and payouts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only compare; exit non-zero listing every cell that differs.",
        )

    def handle(self, *args, check=False, **options):
        if not check:
            count = running.rebuild()
            self.stdout.write(f"rebuilt {count} cells")
            return
        differences = running.differences()
        products = running.product_differences()
        if not differences and not products:
            self.stdout.write("running figures agree with the records")
            return
        for pk, kept, computed in products:
            self.stdout.write(
                f"product {pk} (units handed over, lowest price): kept {kept} computed {computed}"
            )
        for key, kept, computed in differences:
            day, team, dim, key_id, sub, text = key
            self.stdout.write(
                f"{day} team={team} {dim} key={key_id} sub={sub} {text!r}: "
                f"kept {kept} computed {computed}"
            )
        raise CommandError(
            f"{len(differences) + len(products)} running figures differ from the records"
        )
