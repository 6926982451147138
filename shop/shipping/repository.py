"""Which delivery choices a basket can have.

Every open run of the basket's team (cut-off not passed) offers one method per pickup
point it stops at, and one per home-delivery zone that covers the buyer's address when
the basket reaches the zone's minimum. Runs that are full for this basket, or short of
the promised supply, are left out; ``unavailable`` says why, for the checkout page.
A basket holding products of two teams has no method: each team's car carries its own,
so the order confirmation splits it into one part per team (``shop.checkout.split``) and
asks here for each part's choices.
"""

from django.utils.translation import gettext as _
from oscar.apps.shipping import repository

from fulfilment import runs
from shop.institutions.membership import closed_point_ids
from shop.shipping.methods import HomeDeliveryOnRun, PickupOnRun


def basket_team_ids(basket):
    return {line.stockrecord.partner_id for line in basket.all_lines() if line.stockrecord_id}


def lines_key(basket):
    """What the choices depend on in the basket: its lines and their quantities."""
    return tuple((line.pk, line.product_id, line.quantity) for line in basket.all_lines())


def address_text(address):
    if address is None:
        return "", ""
    parts = [
        getattr(address, name, "") or "" for name in ("line1", "line2", "line3", "line4", "state")
    ]
    return " ".join(parts), getattr(address, "postcode", "") or ""


class Repository(repository.Repository):
    @staticmethod
    def remember_choices(basket, check_capacity=True):
        """Keep the open runs and their checks for this basket object from now on: Oscar's
        checkout asks for the choices several times in one request (its pre-conditions, the
        method list, the order total; see ``runs.remember_problems``).

        ``check_capacity=False`` is for steps that only need the chosen method and its
        price: room in the car and supply are not checked there, because the preview
        checks them again and placing the order takes the room with conditional updates."""
        basket._open_runs = {}
        basket._choices = {}
        basket._check_capacity = check_capacity
        runs.remember_problems(basket)

    def _open_runs(self, basket, team_ids):
        """[(run, problems)] for the team's open runs; no queries when remembered."""
        memo = getattr(basket, "_open_runs", None)
        key = (tuple(sorted(team_ids)), lines_key(basket))
        if memo is not None and key in memo:
            return memo[key]
        open_runs = runs.open_runs_for_checkout(team_ids)
        if getattr(basket, "_check_capacity", True):
            problems = runs.problems_by_run(open_runs, basket)
        else:
            problems = {run.pk: [] for run in open_runs}
        found = [(run, problems[run.pk]) for run in open_runs]
        if memo is not None:
            memo[key] = found
        return found

    def problems_on(self, basket, code):
        """The check of the run ``code`` names, taken from the basket team's open runs (worked
        out once per request); None when that run is not one of them."""
        choice = runs.RunChoice.from_code(code)
        team_ids = basket_team_ids(basket)
        if choice is None or len(team_ids) != 1:
            return None
        for run, problems in self._open_runs(basket, team_ids):
            if run.pk == choice.run_id:
                return problems
        return None

    def _choices(self, basket, shipping_addr=None, any_address=False):
        memo = getattr(basket, "_choices", None)
        if memo is None:
            return self._work_out_choices(basket, shipping_addr, any_address)
        key = (any_address or address_text(shipping_addr), lines_key(basket))
        if key not in memo:
            memo[key] = self._work_out_choices(basket, shipping_addr, any_address)
        methods, problems = memo[key]
        return list(methods), list(problems)

    def _work_out_choices(self, basket, shipping_addr=None, any_address=False):
        team_ids = basket_team_ids(basket)
        if len(team_ids) != 1:
            return [], (
                [_("购物车里有不同工作队的产品，每个工作队的车分开送，请分开下单。")]
                if len(team_ids) > 1
                else []
            )
        methods, problems = [], []
        closed = closed_point_ids(basket.owner_id)  # other institutions' private drop-offs
        text, postcode = address_text(shipping_addr)
        total = basket.total_incl_tax
        for run, run_problems in self._open_runs(basket, team_ids):
            if run_problems:
                problems.extend(run_problems)
                continue
            methods.extend(
                PickupOnRun(stop)
                for stop in run.stops.all()
                if stop.point.is_active and stop.point_id not in closed
            )
            for zone in run.zones.all():
                if not zone.is_active or not (any_address or zone.covers(text, postcode)):
                    continue
                if total < zone.minimum_order:
                    problems.append(
                        _("%(zone)s 满 ¥%(min)s 送货上门，您的订单 ¥%(total)s。")
                        % {"zone": zone.name, "min": zone.minimum_order, "total": total}
                    )
                    continue
                methods.append(HomeDeliveryOnRun(run, zone))
        return methods, list(dict.fromkeys(problems))  # two runs may give the same reason

    def get_available_shipping_methods(
        self, basket, user=None, shipping_addr=None, request=None, **kwargs
    ):
        return self._choices(basket, shipping_addr)[0]

    def choices_for_any_address(self, basket):
        """(methods, problems) before the buyer's address is known, for the one-page order
        confirmation: every active zone is offered, and the address typed on the same page
        is checked against the chosen zone when the order is submitted."""
        return self._choices(basket, any_address=True)

    def unavailable(self, basket, shipping_addr=None):
        """Sentences telling the buyer why a run or zone is not offered."""
        return self._choices(basket, shipping_addr)[1]
