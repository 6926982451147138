"""Orders for dashboard tests, written straight to the tables (fast, any mix of teams)."""

import itertools
from decimal import Decimal as D

from oscar.core.loading import get_model

from shop.figures import running
from tests.partner.factories import UserFactory

Order = get_model("order", "Order")
Line = get_model("order", "Line")
ShippingAddress = get_model("order", "ShippingAddress")

_numbers = itertools.count(700001)


def place_order(
    items, user=None, guest_email="guest@example.cn", status="待确认", date_placed=None
):
    """An order of ``items`` = [(product, quantity)]; each line is sold by the product's team."""
    rows = []
    for product, quantity in items:
        record = product.stockrecords.select_related("partner").first()
        rows.append((product, record, quantity, record.price))
    total = sum((price * quantity for _p, _r, quantity, price in rows), D("0"))
    address = ShippingAddress.objects.create(
        first_name="林小满",
        line1="人民路 88 号",
        line4="南山县",
        country_id="CN",
        phone_number="13900001111",
    )
    order = Order.objects.create(
        number=str(next(_numbers)),
        site_id=1,
        shipping_address=address,
        currency="CNY",
        user=user,
        guest_email="" if user else guest_email,
        total_incl_tax=total,
        total_excl_tax=total,
        shipping_incl_tax=D("0"),
        shipping_excl_tax=D("0"),
        status=status,
    )
    if date_placed is not None:
        Order.objects.filter(pk=order.pk).update(date_placed=date_placed)
        order.refresh_from_db()
    for product, record, quantity, price in rows:
        amount = price * quantity
        Line.objects.create(
            order=order,
            partner=record.partner,
            partner_name=record.partner.name,
            partner_sku=record.partner_sku,
            stockrecord=record,
            product=product,
            title=product.get_title(),
            upc=product.upc or "",
            quantity=quantity,
            num_allocated=quantity,
            line_price_incl_tax=amount,
            line_price_excl_tax=amount,
            line_price_before_discounts_incl_tax=amount,
            line_price_before_discounts_excl_tax=amount,
            unit_price_incl_tax=price,
            unit_price_excl_tax=price,
            status=status,
        )
    # Written past the order's life, so the running figures are told, as an import would.
    running.orders_changed([order.pk])
    return order


def coordinator(username="coordinator"):
    from django.contrib.auth.models import Group

    from shop.desk.roles import COORDINATOR

    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=COORDINATOR))
    return user


def editor(username="editor"):
    from django.contrib.auth.models import Group

    from shop.desk.roles import EDITOR

    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=EDITOR))
    return user
