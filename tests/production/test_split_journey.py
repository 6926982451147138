"""One basket across teams, against the shop as it runs in production: a guest puts two
teams' produce in her basket, the order confirmation shows one part per team with that
team's runs, one submit places one order per team (grouped), and the worker sends one
confirmation e-mail listing both orders."""

import uuid

import pytest

from tests.production.conftest import Visitor, require_running_shop, shop_shell, wait_for
from tests.production.test_journeys import _mails_to

pytestmark = pytest.mark.production


def _two_teams_products():
    """A product with room to spare on an open run, for two different teams."""
    return shop_shell(
        """
import json
from django.utils import timezone
from oscar.core.loading import get_model
from fulfilment import supply
from fulfilment.models import DeliveryRun
Product = get_model("catalogue", "Product")
found = {}
for run in DeliveryRun.objects.filter(status="open", cutoff__gt=timezone.now()).order_by("date"):
    if run.team_id in found:
        continue
    committed, sold = supply.committed_quantities(run), supply.sold_quantities(run)
    for pid, qty in committed.items():
        product = Product.objects.get(pk=pid)
        if qty - sold.get(pid, 0) >= 30 and product.is_public:
            found[run.team_id] = {"team": run.team_id, "product": pid,
                                  "url": product.get_absolute_url()}
            break
    if len(found) == 2:
        break
print(json.dumps(list(found.values())))
"""
    )


def test_a_guest_buys_from_two_teams_in_one_checkout():
    require_running_shop()
    products = _two_teams_products()
    assert len(products) == 2, "the demo needs two teams with open runs and supply"
    guest = Visitor()
    for found in products:
        guest.add_to_basket(found["url"], found["product"])

    response, soup = guest.page("/shop/checkout/confirm/")
    parts = soup.find_all(attrs={"data-testid": "split-part"})
    assert len(parts) == 2, response.text[:2000]
    choices = {}
    for part in parts:
        field = f"method_code-{part['data-team']}"
        option = part.find("input", attrs={"name": field})
        assert option is not None, f"no run offered for team {part['data-team']}"
        choices[field] = option["value"]
    guest_email = f"split-{uuid.uuid4().hex[:8]}@example.cn"
    response = guest.place_order(
        first_name="林小满",
        phone_number="13812345678",
        guest_email=guest_email,
        method="pay-on-pickup",
        **choices,
    )
    assert response.text.count('data-testid="placed-part"') == 2

    orders = shop_shell(
        f"""
import json
from oscar.core.loading import get_model
orders = get_model("order", "Order").objects.filter(guest_email="{guest_email}")
print(json.dumps([[o.number, o.checkout_group_id, o.run_link.run.team_id] for o in orders]))
"""
    )
    assert len(orders) == 2
    assert orders[0][1] is not None and orders[0][1] == orders[1][1]
    assert {team for _n, _g, team in orders} == {found["team"] for found in products}
    for number, _group, _team in orders:
        assert number in response.text

    mails = wait_for(lambda: _mails_to(guest_email), 60, what="the order confirmation e-mail")
    assert len(mails) == 1
    assert all(number in mails[0] for number, _group, _team in orders)
