"""An order line's price lives on the line. Oscar's per-line "price breakdown" row is
written only where a line's units sold at different prices (an offer's discount on some
of them); for a line at one price it would copy the line and go stale when the line
changes."""

from decimal import Decimal as D

import pytest
from oscar.apps.offer.applicator import Applicator
from oscar.core.loading import get_class, get_model
from oscar.test.factories import create_offer

from tests.order.factories import make_order

LinePrice = get_model("order", "LinePrice")
Basket = get_model("basket", "Basket")
Range = get_model("offer", "Range")
Benefit = get_model("offer", "Benefit")
Condition = get_model("offer", "Condition")
OrderCreator = get_class("order.utils", "OrderCreator")
Selector = get_class("partner.strategy", "Selector")


@pytest.mark.django_db
def test_an_order_at_one_price_keeps_its_price_on_the_line_only(run, eggs):
    order = make_order(run, [(eggs, 4)])
    line = order.lines.get()
    assert line.unit_price_incl_tax == D("1.50")
    assert line.line_price_incl_tax == D("6.00")
    assert order.total_incl_tax == D("6.00")
    assert not LinePrice.objects.filter(order=order).exists()


@pytest.mark.django_db
def test_a_line_partly_discounted_by_an_offer_keeps_its_breakdown(run, eggs):
    """Two of four eggs half price: the line sold at two prices, so the rows stay."""
    everything = Range.objects.create(name="全部", includes_all_products=True)
    create_offer(
        name="两只半价",
        product_range=everything,
        benefit=Benefit.objects.create(
            range=everything, type=Benefit.PERCENTAGE, value=D("50"), max_affected_items=2
        ),
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
    )
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket.add_product(eggs, 4)
    Applicator().apply(basket)
    basket_line = basket.all_lines()[0]
    assert basket_line.discount_value == D("1.50")

    order = make_order(run, [(eggs, 4)])
    OrderCreator().create_line_price_models(order, order.lines.get(), basket_line)

    rows = sorted(
        (row.price_incl_tax, row.quantity) for row in LinePrice.objects.filter(order=order)
    )
    assert rows == [(D("0.75"), 2), (D("1.50"), 2)]
