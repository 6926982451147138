"""Room on a run: the kilograms and crates some quantities take (the runs' bookings and
the households' supply both count with it)."""

import math
from decimal import Decimal

from fulfilment.models import CratePacking
from shop.core import sql


def crate_sizes(product_ids):
    product_ids = list(product_ids)
    if not product_ids:
        return {}
    return dict(  # every checkout step asks: SQL written out (shop.core.sql)
        sql.rows(
            f"SELECT product_id, units_per_crate FROM {sql.table(CratePacking)} "
            f"WHERE product_id IN ({sql.in_list(product_ids)})",
            product_ids,
        )
    )


def room_taken(quantities, weights, packing):
    kg = Decimal("0")
    crates = 0
    for product_id, quantity in quantities.items():
        if weights.get(product_id):
            kg += Decimal(weights[product_id]) * quantity / 1000
        if packing.get(product_id):
            crates += math.ceil(quantity / packing[product_id])
    return kg, crates
