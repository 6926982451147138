"""How each order a standing order placed is paid, as the buyer's pages and e-mail show it.

Nothing is computed here: the money is ``shop.order.money``'s, whether and how much may be
paid online now is ``shop.payment.pay_rest.payable``'s (the same rule as a 补款). The
e-mail's pay link (``standing:pay``) is signed like the order link and opens, or reuses,
the Stripe Checkout for exactly what the order still owes.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from shop.buyer import links
from shop.core.links import absolute
from shop.order import money
from shop.payment import pay_rest


@dataclass(frozen=True)
class OrderPayment:
    online: bool
    payable: Decimal  # what may be paid online now (zero when nothing, or no longer)
    to_collect: Decimal  # what is paid in cash at hand-over, once it can no longer be paid online
    paid: Decimal
    due: Decimal

    @property
    def state(self):
        """``pay-online`` / ``online-closed`` / ``paid`` / ``on-pickup`` / ``nothing``."""
        if self.payable:
            return "pay-online"
        if self.online and self.to_collect:
            return "online-closed"
        if self.to_collect:
            return "on-pickup"
        if self.due and self.paid >= self.due:
            return "paid"
        return "nothing"


def of(order):
    order_money = money.of(order)
    payable = pay_rest.payable(order)
    return OrderPayment(
        online=order_money.is_online,
        payable=payable,
        to_collect=order_money.cash_to_collect if not payable else money.ZERO,
        paid=order_money.paid - order_money.refunds_paid,
        due=order_money.due,
    )


def attach(occurrences):
    """Each placed occurrence gets ``pay`` (``OrderPayment``); the orders' money is read
    for all of them at once."""
    placed = [o for o in occurrences if o.row is not None and o.row.order is not None]
    money.attach([o.row.order for o in placed])
    for occurrence in occurrences:
        occurrence.pay = None
    for occurrence in placed:
        occurrence.pay = of(occurrence.row.order)
    return occurrences


def pay_url(order):
    """The e-mail's link to pay ``order`` online (absolute, signed)."""
    return absolute(reverse("standing:pay", kwargs={"token": links.order_token(order)}))
