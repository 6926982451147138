"""An institution's buyer against the shop as it runs in production (issue 22): she signs
in, orders for the hospital's trade union to its canteen door, pays by monthly transfer,
and finds the order on the union's monthly statement (page and XLSX). Written to the
pattern of test_journeys.py; it needs the demo's union buyer (``load_demo``)."""

import io
import re

import pytest

from tests.production.conftest import Visitor, shop_shell

pytestmark = pytest.mark.production

UNION_BUYER = ("union@example.cn", "canteen-order-2026")  # README's demo users
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_union_buyer_orders_for_the_institution_and_it_is_on_the_statement():
    found = shop_shell(
        """
import json
from django.utils import timezone
from oscar.core.loading import get_model
from fulfilment import supply
from fulfilment.models import DeliveryRun
from shop.institutions.models import Institution
union = Institution.objects.get(members__email="union@example.cn")
best = None
for run in DeliveryRun.objects.filter(
    stops__point=union.drop_off, status="open", cutoff__gt=timezone.now()
):
    committed, sold = supply.committed_quantities(run), supply.sold_quantities(run)
    for pid, qty in committed.items():
        if qty - sold.get(pid, 0) >= 30:
            best = (run, get_model("catalogue", "Product").objects.get(pk=pid))
            break
    if best:
        break
run, product = best
stop = run.stops.get(point=union.drop_off)
print(json.dumps({"union": union.pk, "stop": stop.shipping_code, "product": product.pk,
                  "url": product.get_absolute_url()}))
"""
    )
    buyer = Visitor()
    buyer.login(*UNION_BUYER)
    buyer.add_to_basket(found["url"], found["product"])
    response = buyer.place_order(
        first_name="周敏",
        phone_number="13912345678",
        institution=str(found["union"]),
        method_code=found["stop"],
        method="bank-transfer",
    )
    number = shop_shell(
        f"""
import json
from shop.institutions.models import InstitutionOrder
link = InstitutionOrder.objects.filter(institution_id={found["union"]}).latest("pk")
print(json.dumps({{"number": link.order.number, "method": link.order.sources.get().source_type.code}}))
"""
    )
    assert number["method"] == "bank-transfer"
    number = number["number"]
    assert number in response.text

    mine = buyer.get("/shop/institution/").text
    assert number in mine
    month = re.search(r"/statements/(\d{4}-\d{2})/", mine).group(1)
    statement = buyer.get(f"/shop/institution/{found['union']}/statements/{month}/").text
    assert number in statement
    sheet = buyer.get(f"/shop/institution/{found['union']}/statements/{month}/statement.xlsx")
    assert sheet.headers["Content-Type"] == XLSX
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert number in {str(row[0]) for row in rows}
