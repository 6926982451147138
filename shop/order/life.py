"""An order's life, one function per thing that happens to it.

Checkout, the Stripe webhook, the driver's taps, shortfalls, refunds, cancellations, the
dashboard, the demo loader and the tests all call these; no signal receiver edits an
order's status or money behind their back. Each function writes, in one transaction, the
order's and its lines' statuses (``shop.order.status``), an event the buyer and the team
read (an Oscar ``OrderStatusChange`` and a note, or a payment event) and the money records
(``shop.order.money`` reads them back). Messages to the buyer are queued after the commit.

Statuses follow the delivery, the same for buyer and team:

- placed (``待确认``, or ``待付款`` until an online payment arrives) → ``paid_online``;
- the run closes → ``run_closed``: confirmed;
- the first household is collected → ``run_collecting``: being collected;
- the car leaves for town → ``run_on_its_way``: on its way;
- the driver's first tap in town → ``out_for_delivery`` for the home deliveries; arrival at
  a pickup point → ``ready_at_pickup`` for its orders;
- ``handed_over``; then, when nothing is left to pay or refund, completed (``complete_if_settled``
  runs after every payment, cut and refund).

Moves only go forward: a late tap never moves an order back, and a cancelled order stays
cancelled.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from fulfilment import notifications, runs, supply
from fulfilment.models import DeliveryRun, LineCut, OrderRun, RefundOwed
from shop import notices
from shop.figures import running
from shop.order import changes, history, money, weighing
from shop.order import owed as owed_back
from shop.order import status as S
from shop.partner import reservations
from shop.payment import refunds
from shop.payment.methods import BANK_TRANSFER, PAY_ON_PICKUP, STRIPE
from shop.payment.processing import PaymentProblem, source_type
from shop.waitlist import wake

Order = get_model("order", "Order")
Line = get_model("order", "Line")
OrderStatusChange = get_model("order", "OrderStatusChange")
Source = get_model("payment", "Source")

# Lines that no longer move with their order.
STOPPED_LINES = (S.CANCELLED, S.CUT)


# --- moving statuses ----------------------------------------------------------------


def _move(orders, new_status, user=None, message="", backwards=False):
    """Move each order (and its moving lines) to ``new_status`` when that is further along
    (or, with ``backwards``, whatever it is, for an undo by hand); cancelled orders stay.
    One status change and one note per order moved. Returns the orders moved."""
    moved = []
    for order in orders:
        if order.status == S.CANCELLED or order.status == new_status:
            continue
        if not backwards and S.rank(new_status) <= S.rank(order.status):
            continue
        moved.append((order, order.status))
    if not moved:
        return []
    ids = [order.pk for order, _old in moved]
    Line.objects.filter(order_id__in=ids).exclude(status__in=STOPPED_LINES).update(
        status=new_status
    )
    Order.objects.filter(pk__in=ids).update(status=new_status)
    OrderStatusChange.objects.bulk_create(
        OrderStatusChange(order=order, old_status=old, new_status=new_status)
        for order, old in moved
    )
    for order, _old in moved:
        order.status = new_status
        money.forget(order)
        if message:
            history.note(order, message, user)
    _figures_follow([order.pk for order, old in moved if _counts_changed(old, new_status)])
    return [order for order, _old in moved]


def _counts_changed(old, new):
    """Whether a move between ``old`` and ``new`` changes what the order counts for in
    the running figures (goods handed over count; the rest do not)."""
    return (old in S.DELIVERED) != (new in S.DELIVERED)


def _figures_follow(order_ids):
    """The running figures follow these orders (their goods handed over and their runs'
    credits), in the transaction of the event."""
    if order_ids:
        running.orders_changed(order_ids)


def _locked(order):
    return Order.objects.select_for_update().get(pk=order.pk)


def _run_orders(run, below):
    """The run's orders not cancelled and not yet as far as ``below``."""
    orders = Order.objects.filter(run_link__run=run).exclude(status=S.CANCELLED)
    return [order for order in orders if S.rank(order.status) < S.rank(below)]


def status_follows_lines(order):
    """After lines moved one by one (a team in the dashboard): the order takes the status
    of its least advanced line; every line cancelled cancels it."""
    new_status = S.status_from_lines(order.lines.values_list("status", flat=True))
    if new_status is None or new_status == order.status:
        return None
    old = order.status
    Order.objects.filter(pk=order.pk).update(status=new_status)
    order.status = new_status
    OrderStatusChange.objects.create(order=order, old_status=old, new_status=new_status)
    money.forget(order)
    if _counts_changed(old, new_status):
        _figures_follow([order.pk])
    return new_status


# --- payment ------------------------------------------------------------------------


def paid_online(order, message=""):
    """Stripe confirmed the payment (the gateway debited the source and wrote the payment
    event): the order leaves "待付款" for where its run is now."""
    with transaction.atomic():
        order = _locked(order)
        if order.status != S.PENDING_PAYMENT:
            return order
        target = S.PLACED
        link = OrderRun.objects.filter(order=order).select_related("run").first()
        if link is not None and link.run.status != link.run.Status.OPEN:
            target = S.CONFIRMED
        _move([order], target, message=message or _("付款已确认。"))
        complete_if_settled(order)
    return order


def paid_rest_online(order, amount, reference):
    """Stripe took what a placed order still owed (``shop.payment.pay_rest``: the rest of
    an order paid online that grew before the cut-off, or the payment of a standing order
    paid online per order): recorded once, on a Stripe source of its own (a refund goes
    back through the payment it came from), with a payment event. The order keeps its
    status; a handed-over one may now be settled. Money that lands on an order cancelled
    meanwhile, or whose rest the driver took in cash first, is owed back."""
    with transaction.atomic():
        order = _locked(order)
        first = money.of(order).paid_online <= 0  # a standing order's payment, not a 补款
        source = Source.objects.create(
            order=order,
            source_type=source_type(STRIPE),
            currency=order.currency,
            amount_allocated=amount,
            reference=reference,
        )
        source.debit(amount, reference=reference, status="paid")
        history.payment_event(
            order,
            history.EVENT_PAID_ONLINE,
            amount,
            reference=reference,
            message=(
                _("在线付款成功 ¥%(amount)s（Stripe %(ref)s）")
                if first
                else _("补款已在线付清 ¥%(amount)s（Stripe %(ref)s）")
            )
            % {"amount": amount, "ref": reference},
        )
        money.forget(order)
        owed = owed_back.unclaimed(order)  # cancelled meanwhile, or the cash came first
        if owed > 0:
            if order.status == S.CANCELLED:
                reason = _("在线付款到账时订单已取消") if first else _("补款到账时订单已取消")
            else:
                reason = _("在线付款到账前已收现金") if first else _("补款到账前已收现金")
            RefundOwed.objects.create(order=order, amount=owed, reason=reason)
        complete_if_settled(order)
    return order


def paid_in_cash(order, user, reference=""):
    """The team took the cash (or a transfer) at hand-over: exactly what is still due,
    from the order's money. Returns False when nothing was left to collect."""
    with transaction.atomic():
        order = _locked(order)
        source = (
            Source.objects.select_for_update()
            .filter(order=order, source_type__code=PAY_ON_PICKUP)
            .first()
        )
        if source is None and money.of(order).cash_to_collect > 0:
            source = weighing.extra_cash_source(order)  # an online order's weight extra
        if source is None:
            raise PaymentProblem(_("这个订单不是取货时付款。"))
        if order.status == S.CANCELLED:
            raise PaymentProblem(_("订单已取消，不能收款。"))
        amount = money.of(order).cash_to_collect
        if amount <= 0:
            return False
        who = getattr(user, "get_username", lambda: "")() or reference or _("系统")
        source.debit(amount, reference=reference or f"pickup:{who}")
        history.payment_event(
            order,
            history.EVENT_PAID_AT_PICKUP,
            amount,
            reference=reference or who,
            user=user,
            message=_("取货时已收款 ¥%(amount)s（%(who)s 登记）") % {"amount": amount, "who": who},
        )
        money.forget(order)
        complete_if_settled(order)
    return True


def paid_by_transfer(order, user, reference):
    """The institution's bank transfer for its monthly statement arrived: the order's
    source is debited with exactly what is still due (``money``), a payment event names the
    transfer reference. Returns the amount recorded (zero when nothing was left to pay)."""
    with transaction.atomic():
        order = _locked(order)
        source = (
            Source.objects.select_for_update()
            .filter(order=order, source_type__code=BANK_TRANSFER)
            .first()
        )
        if source is None:
            raise PaymentProblem(_("这个订单不是对公转账（月结）。"))
        money.forget(order)
        amount = money.of(order).still_to_pay
        if amount <= 0:
            return Decimal("0.00")
        source.debit(amount, reference=reference)
        history.payment_event(
            order,
            history.EVENT_PAID_BY_TRANSFER,
            amount,
            reference=reference,
            user=user,
            message=_("对公转账已到账 ¥%(amount)s（流水号 %(ref)s）")
            % {"amount": amount, "ref": reference},
        )
        money.forget(order)
        complete_if_settled(order)
    return amount


def complete_if_settled(order):
    """A handed-over order whose money is settled (nothing to collect, nothing owed back)
    is completed; a completed one that owes or is owed money again (a later refund) goes
    back to handed over until that is settled too."""
    if order.status not in (S.HANDED_OVER, S.COMPLETED):
        return False
    money.forget(order)
    settled = money.of(order).settled
    if order.status == S.HANDED_OVER and settled:
        return bool(_move([order], S.COMPLETED, message=_("货已交付，款项已结清，订单完成。")))
    if order.status == S.COMPLETED and not settled:
        return bool(_move([order], S.HANDED_OVER, backwards=True))
    return False


def refund_lines(order, lines_with_qty, reason, user=None, note=""):
    """A team gives money back for some units (damaged goods and the like): the refund
    itself is ``shop.payment.refunds``' (checked against what is left, sent once); the
    order's status follows its money."""
    refund = refunds.refund_lines(order, lines_with_qty, reason, user=user, note=note)
    refunds_changed(order)
    return refund


def refund_order(order, reason, user=None, note=""):
    """As ``refund_lines``, for whatever is still refundable on the order (staff only)."""
    refund = refunds.refund_order(order, reason, user=user, note=note)
    refunds_changed(order)
    return refund


def settle_owed(owed, user=None):
    """Pay back a refund a shortfall or a cancellation left owed (``refunds.settle_owed``:
    once, retried safely); the order's status follows its money."""
    refund = refunds.settle_owed(owed, user)
    refunds_changed(owed.order)
    return refund


def refunds_changed(order):
    """A refund went through or failed (Stripe answered, a webhook came): completion may
    follow."""
    with transaction.atomic():
        complete_if_settled(_locked(order))
        _figures_follow([order.pk])


# --- shortfalls -----------------------------------------------------------------------


def cut_amount(line, units):
    """What taking ``units`` away from ``line`` takes off the order (the confirmation page
    shows it before ``cut_lines`` writes it)."""
    return (line.unit_price_incl_tax or Decimal("0")) * units


def cut_lines(shortfall, cuts, user=None):
    """A household brought less: take ``cuts`` ({line: units}) away from their orders.

    Each cut is a ``LineCut``; an order paid online is owed the money back (a ``RefundOwed``,
    which the payments side pays through Stripe, once); a pay-on-pickup order simply owes
    less. A line that loses every unit is marked cut. Returns {order: [(title, units,
    amount, product)]}."""
    by_order = {}
    for line, units in cuts.items():
        if units <= 0:
            continue
        amount = cut_amount(line, units)
        LineCut.objects.create(shortfall=shortfall, line=line, quantity=units, amount=amount)
        weighing.cut(line)  # a weight recorded for more birds no longer counts
        by_order.setdefault(line.order, []).append((line, units, amount))
    for order, order_cuts in by_order.items():
        money.forget(order)
        owed_back = money.of(order).refund_owed
        for line, units, amount in order_cuts:
            reason = _("缺货：%(title)s 减少 %(n)s") % {"title": line.title, "n": units}
            refund = min(amount, owed_back)
            if refund > 0:
                RefundOwed.objects.create(
                    order=order, line=line, amount=refund, reason=reason, shortfall=shortfall
                )
                owed_back -= refund
                history.note(
                    order, _("%(reason)s，退款 ¥%(amount)s") % {"reason": reason, "amount": refund}
                )
            else:
                history.note(
                    order,
                    _("%(reason)s，应付金额少 ¥%(amount)s") % {"reason": reason, "amount": amount},
                )
            cut_total = sum(c.quantity for c in line.cuts.all())
            if cut_total >= line.quantity and line.status not in STOPPED_LINES:
                Line.objects.filter(pk=line.pk).update(status=S.CUT)
        status_follows_lines(order)
        complete_if_settled(order)
    _figures_follow(sorted(order.pk for order in by_order))
    result = {
        order: [(line.title, units, amount, line.product) for line, units, amount in order_cuts]
        for order, order_cuts in by_order.items()
    }
    for order, order_cuts in result.items():
        notices.shortfall(order, order_cuts, key=shortfall.pk)
        transaction.on_commit(
            lambda order=order, order_cuts=order_cuts: notifications.shortfall(order, order_cuts)
        )
    return result


# --- the buyer changes the order -------------------------------------------------------


def change_order(order, quantities, additions, place_code, user=None):
    """Plan the change, take the room it adds on the run, and write it through the
    order-life module. Returns the order's new ``OrderMoney``; raises ``ChangeRefused``
    with nothing changed."""
    plan = changes.plan_change(order, quantities, additions, place_code)
    extra = plan.extra_basket()
    booking = None
    if extra.lines:
        try:
            booking = runs.take_room(plan.choice, extra)
        except runs.NoRoom as refusal:
            raise changes.ChangeRefused(refusal.messages) from None
    try:
        changed_by_buyer(plan, booking, user=user)
    except BaseException:
        if booking is not None:
            runs.give_back_room(booking)
        raise
    order.refresh_from_db()
    money.forget(order)
    return money.of(order)


def changed_by_buyer(plan, booking=None, user=None):
    """The buyer changed the order before the cut-off (``shop.order.changes`` checked the
    ``plan`` and took the room it adds, ``booking``). In one transaction: the extra stock
    is taken (conditional, ``OutOfStock`` refuses with nothing written) and the stock
    given up goes back, the lines, the run link and the order's totals are written, a note
    and a "应付" payment event say what changed, and an order paid online that shrank is
    owed the difference (a ``RefundOwed`` the payments side pays back). The run's loads
    are counted again from the lines, so the team's lists follow."""
    order = plan.order
    with transaction.atomic():
        locked = _locked(order)
        if locked.status != S.PLACED:
            raise changes.ChangeRefused([changes.why_not_changeable(locked) or ""])
        # Planned from the lines as they were read: a change that won the lock meanwhile
        # (a second tap) must not be applied over again.
        planned = {line.pk: line.quantity for line in plan.quantities}
        if dict(Line.objects.filter(order=locked).values_list("pk", "quantity")) != planned:
            raise changes.ChangeRefused([_("订单刚刚改过了，请看一下现在的订单再改。")])
        taken = []
        for product, record, units in plan.increases():
            if record is None or not product.get_product_class().track_stock:
                continue
            if not reservations.take(record.pk, units):
                raise changes.ChangeRefused(
                    [
                        reservations.shortage_message(
                            changes.NewLine(product, record, units, 0), record.pk
                        )
                    ]
                )
            taken.append(record.pk)
        _give_back_stock(plan)
        if booking is not None:
            runs.booking_kept(booking)
        written = _write_quantities(plan)
        for new in plan.additions:
            line = changes.new_line(locked, new)
            line.save()
            written.append((line, line.quantity))
        link = OrderRun.objects.get(order=locked)
        link.pickup_id, link.zone_id = plan.choice.pickup_id, plan.choice.zone_id
        kg, crates = runs.load_of(
            plan.new_quantities(), supply.products_by_id(plan.new_quantities())
        )
        link.weight_kg, link.crates = kg, crates
        link.save(update_fields=["pickup", "zone", "weight_kg", "crates"])
        locked.shipping_code = plan.choice.code
        locked.shipping_method = changes.place_label(plan.run, plan.choice)
        locked.shipping_incl_tax = locked.shipping_excl_tax = plan.fee
        locked.total_incl_tax = locked.total_excl_tax = plan.goods + plan.fee
        locked.save(
            update_fields=[
                "shipping_code",
                "shipping_method",
                "shipping_incl_tax",
                "shipping_excl_tax",
                "total_incl_tax",
                "total_excl_tax",
            ]
        )
        supply.count_run_loads([link.run_id])
        Source.objects.filter(order=locked, source_type__code=PAY_ON_PICKUP).update(
            amount_allocated=locked.total_incl_tax
        )
        what = "；".join(plan.summary)
        history.payment_event(
            locked,
            history.EVENT_DUE,
            plan.due,
            reference="changed-by-buyer",
            lines=written,
            user=user,
            message=_("买家修改了订单：%(what)s。现在应付 ¥%(due)s。")
            % {"what": what, "due": plan.due},
        )
        refund = plan.refund
        if refund > 0:
            RefundOwed.objects.create(
                order=locked,
                amount=refund,
                reason=_("买家截单前修改订单：%(what)s") % {"what": what},
            )
    order.refresh_from_db()
    money.forget(order)
    freed = [line.product_id for line, _units in plan.decreases() if line.product_id]
    if freed:
        transaction.on_commit(lambda: wake.stock_freed(freed))
    return order


def _give_back_stock(plan):
    """The stock of the units the change takes off goes back (what was allocated)."""
    for line, units in plan.decreases():
        if line.stockrecord_id and line.num_allocated and not line.allocation_cancelled:
            reservations.give_back(line.stockrecord_id, min(units, line.num_allocated))


def _write_quantities(plan):
    """Write the changed quantities and prices of the order's lines (a line changed to 0
    is deleted); returns [(line, quantity)] of the lines kept."""
    written = []
    for line, quantity in plan.quantities.items():
        if quantity == line.quantity:
            written.append((line, quantity))
            continue
        if quantity == 0:
            line.delete()
            continue
        unit = line.unit_price_incl_tax or Decimal("0")
        line.quantity = quantity
        line.line_price_incl_tax = line.line_price_before_discounts_incl_tax = unit * quantity
        excl = line.unit_price_excl_tax or unit
        line.line_price_excl_tax = line.line_price_before_discounts_excl_tax = excl * quantity
        if line.num_allocated:
            line.num_allocated = quantity
        line.save()  # the audit log records a person's edits
        written.append((line, quantity))
    return written


# --- cancelling -------------------------------------------------------------------------


def cancel(order, user=None, message="", refund_reason=None):
    """Cancel ``order``: every line stops, its stock goes back, and money already taken is
    owed back in full (a ``RefundOwed`` the payments side pays). Returns False when it was
    cancelled already."""
    with transaction.atomic():
        order = _locked(order)
        if order.status == S.CANCELLED:
            return False
        Line.objects.filter(order=order).exclude(status=S.CUT).update(status=S.CANCELLED)
        _move([order], S.CANCELLED, user=user, message=message, backwards=True)
        # Oscar's post_save reactions (run loads) follow the order's own save.
        order.save(update_fields=["status"])
        reservations.release_order_stock(order)
        owed = owed_back.unclaimed(order)  # rows already waiting keep their share
        if owed > 0 and refund_reason is not None:
            RefundOwed.objects.create(order=order, amount=owed, reason=refund_reason)
        freed = list(order.lines.values_list("product_id", flat=True))
        transaction.on_commit(lambda: wake.stock_freed(freed))
        _figures_follow([order.pk])  # a done run's credits no longer lay units over it
    return True


def cancel_lines(order, lines, user=None, message=""):
    """A team cancels some of its own lines (the dashboard): their stock goes back and the
    order follows its lines."""
    with transaction.atomic():
        for line in lines:
            if line.status in STOPPED_LINES:
                continue
            line.status = S.CANCELLED
            line.save(update_fields=["status"])  # the audit log records a person's edits
            if line.stockrecord_id and not line.allocation_cancelled and line.num_allocated:
                line.cancel_allocation(line.num_allocated)
        if message:
            history.note(order, message, user)
        if status_follows_lines(order) == S.CANCELLED:
            order.save(update_fields=["status"])
            reservations.release_order_stock(order)
        _figures_follow([order.pk])


# --- the run's progress ---------------------------------------------------------------


def run_closed(run):
    """Cut-off: the run's placed orders are confirmed."""
    return _move(_run_orders(run, S.CONFIRMED), S.CONFIRMED)


def run_collecting(run):
    """The first household was collected: the run's orders are being collected."""
    return _move(_run_orders(run, S.COLLECTING), S.COLLECTING)


def run_on_its_way(run):
    """The car left for town; buyers are told."""
    moved = _move(_run_orders(run, S.ON_ITS_WAY), S.ON_ITS_WAY)
    for order in moved:
        notices.on_its_way(order)
    transaction.on_commit(lambda: notifications.run_on_its_way(run))
    return moved


def out_for_delivery(run):
    """The driver's first tap in town: home deliveries not yet handed over are out for
    delivery."""
    orders = Order.objects.filter(run_link__run=run, run_link__zone__isnull=False).exclude(
        status=S.CANCELLED
    )
    return _move(orders, S.OUT_FOR_DELIVERY)


def ready_at_pickup(links):
    """The car reached a pickup point: its orders can be collected; buyers are told."""
    links = [link for link in links if link.ready_notified_at is None]
    if not links:
        return []
    OrderRun.objects.filter(pk__in=[link.pk for link in links]).update(
        ready_notified_at=timezone.now()
    )
    moved = _move([link.order for link in links], S.READY)
    for order in moved:
        notices.ready(order)
    transaction.on_commit(lambda: notifications.ready_at_pickup(links))
    return moved


def by_hand(order, new_status, user=None, message=""):
    """A person moved the order in the dashboard (Oscar's pipeline allowed it)."""
    if new_status == S.CANCELLED:
        return cancel(order, user=user, message=message)
    with transaction.atomic():
        moved = _move([_locked(order)], new_status, user=user, message=message, backwards=True)
        if moved:
            moved[0].save(update_fields=["status"])  # the audit log records a person's edits
            order.status = new_status
            complete_if_settled(moved[0])
    return bool(moved)


def lines_by_hand(order, lines, new_status, user=None, message=""):
    """A team moved some of its own lines in the dashboard; the order follows its lines."""
    if new_status == S.CANCELLED:
        return cancel_lines(order, lines, user=user, message=message)
    with transaction.atomic():
        for line in lines:  # saved one by one: the audit log records a person's edits
            line.status = new_status
            line.save(update_fields=["status"])
        if message:
            history.note(order, message, user)
        status_follows_lines(order)
        _figures_follow([order.pk])


def handed_over(link, user=None):
    """The buyer has the goods. Returns False when it was recorded before."""
    if link.handed_over_at is not None:
        return False
    link.handed_over_at = timezone.now()
    link.save(update_fields=["handed_over_at"])
    order = link.order
    _move([order], S.HANDED_OVER, user=user)
    complete_if_settled(order)
    notices.delivered(order)
    transaction.on_commit(lambda: notifications.delivered(link))
    return True


def handed_over_undone(link, user=None):
    """The last hand-over was tapped by mistake: the order goes back to where it was before
    it (its status change says so), with a note; money is untouched (a hand-over takes
    none; cash has its own tap). Returns False when the order was not handed over."""
    with transaction.atomic():
        link = OrderRun.objects.select_for_update().get(pk=link.pk)
        if link.handed_over_at is None:
            return False
        order = _locked(link.order)
        link.handed_over_at = None
        link.save(update_fields=["handed_over_at"])
        if order.status in (S.HANDED_OVER, S.COMPLETED):
            before = (
                OrderStatusChange.objects.filter(order=order, new_status=S.HANDED_OVER)
                .order_by("-date_created", "-pk")
                .values_list("old_status", flat=True)
                .first()
            )
            if before is None or S.rank(before) >= S.rank(S.HANDED_OVER):
                before = S.ON_ITS_WAY
            _move(
                [order],
                before,
                user=user,
                message=_("撤销交货：货还没有交到买家手里。"),
                backwards=True,
            )
        link.order = order
    return True


def on_run_moved(sender, run, to_status, actor=None, **kwargs):
    """fulfilment's ``run_moved`` signal (connected in ``OrderConfig.ready``): the run's
    orders follow it."""
    if to_status == DeliveryRun.Status.CLOSED:
        run_closed(run)
    elif to_status == DeliveryRun.Status.COLLECTING:
        run_collecting(run)
    elif to_status == DeliveryRun.Status.DELIVERING:
        run_on_its_way(run)
    elif to_status == DeliveryRun.Status.CANCELLED:
        run_cancelled(run, _("配送批次取消"))


def on_run_stepped_back(sender, run, to_status, actor=None, **kwargs):
    """fulfilment's ``run_stepped_back`` signal (connected in ``OrderConfig.ready``)."""
    return run_stepped_back(run, to_status, user=actor)


def run_stepped_back(run, to_run_status, user=None):
    """A collection was undone and the run steps back (``fulfilment.runs.step_back``): its
    orders that only followed the run go back with it (on its way → being collected →
    confirmed); orders further along (ready, handed over) or cancelled stay."""
    target = {
        DeliveryRun.Status.CLOSED: S.CONFIRMED,
        DeliveryRun.Status.COLLECTING: S.COLLECTING,
    }.get(to_run_status)
    if target is None:
        return []
    orders = Order.objects.filter(
        run_link__run=run, status__in=(S.COLLECTING, S.ON_ITS_WAY)
    ).exclude(status=target)
    return _move(
        [order for order in orders if S.rank(order.status) > S.rank(target)],
        target,
        user=user,
        message=_("撤销收货：订单回到“%(status)s”。") % {"status": S.label(target)},
        backwards=True,
    )


def run_cancelled(run, reason):
    """The run will not go: its orders are cancelled and paid money is owed back."""
    for order in Order.objects.filter(run_link__run=run).exclude(status=S.CANCELLED):
        cancel(order, message=reason, refund_reason=reason)
    transaction.on_commit(lambda: notifications.run_cancelled(run))


# --- priced by weight -------------------------------------------------------------------


def weighed(line, weight_jin, user=None):
    """The team weighed the birds of ``line`` (priced by weight): the real weight replaces
    any earlier one, the line is re-priced by it (``shop.order.weighing``: the change is
    in the order's money once, however often it is weighed), money taken that is now too
    much is owed back, and the order gets a note. ``weight_jin`` is checked first
    (``weighing.WeighingProblem``, nothing written). Returns the ``LineWeight``."""
    with transaction.atomic():
        order = _locked(line.order)
        line = (
            Line.objects.select_for_update(of=("self",)).select_related("product").get(pk=line.pk)
        )
        line.order = order
        weight = weighing.check(line, weight_jin)
        record, previous = weighing.record(line, weight, user)
        weighing.settle(order, record)
        history.note(order, weighing.note_for(line, record, previous), user)
        money.forget(order)
        complete_if_settled(order)
        _figures_follow([order.pk])
    return record
