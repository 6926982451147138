"""Who waits for a sold-out product, and telling them when it is back.

A buyer joins from the product page when it is sold out (``join``); the entry names the
team's next run taking orders, so the team sees how many wait per product and run on the
run's supply page (``waiting_on_run``). Stock appears when a household promises more for
a run (``fulfilment.supply.set_commitment``), the team types a higher level for a product
nobody promised for (``fulfilment.products.update``), an order is cancelled or a buyer
makes one smaller (``shop.order.life``): those call ``stock_freed`` after their commit
(fulfilment, below this app, sends its ``supply_added`` signal, which ``stock_freed``
answers), which queues ``tell_waiting_buyers`` (defined here beside the work it does;
``shop.waitlist.tasks`` lists it for Celery).

The rule: first come, first told, and only as many buyers as the free units could serve
(one unit each): with 3 eggs free and 10 waiting, the first 3 are told and the other 7
keep waiting for the next stock. Each buyer is told once (a conditional update marks the
entry, so two workers never mail the same buyer); the e-mail carries a link to stop
waiting.
"""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from catalogue.models import Product
from fulfilment import runs
from shop.core.links import absolute
from shop.core.tasks import RETRY_ON_MISSING_ROWS
from shop.waitlist.models import WaitingBuyer

StockRecord = get_model("partner", "StockRecord")


def free_units(product):
    """Units of ``product`` buyers can order now, over its stock records; None when its
    stock is not counted (it is never sold out)."""
    if not product.get_product_class().track_stock:
        return None
    left = StockRecord.objects.filter(product=product).aggregate(
        left=Sum(Greatest(F("num_in_stock") - Coalesce(F("num_allocated"), 0), 0))
    )["left"]
    return left or 0


def next_run(product):
    """The earliest run still taking orders of a team that sells ``product``, or None."""
    teams = list(StockRecord.objects.filter(product=product).values_list("partner_id", flat=True))
    return runs.open_runs(team_ids=teams).order_by("cutoff", "pk").first() if teams else None


def waiting(product):
    return WaitingBuyer.objects.filter(product=product, told_at=None, cancelled_at=None)


def join(product, email, user=None):
    """Put ``email`` on the waitlist of ``product``; returns (entry, created). Someone
    already waiting is not added twice."""
    email = email.strip().lower()
    found = waiting(product).filter(email=email).first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            entry = WaitingBuyer.objects.create(
                product=product,
                run=next_run(product),
                email=email,
                user=user if getattr(user, "is_authenticated", False) else None,
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
    except IntegrityError:  # the same address twice at the same moment
        return waiting(product).get(email=email), False
    return entry, True


def cancel(entry):
    """The buyer stops waiting (the link in the page or the e-mail). False when the entry
    was told or cancelled already."""
    return bool(
        WaitingBuyer.objects.filter(pk=entry.pk, told_at=None, cancelled_at=None).update(
            cancelled_at=timezone.now()
        )
    )


def waiting_on_run(run):
    """{product id: buyers waiting} for ``run``: everyone still waiting for a product of
    the run's team who asked for this run or an earlier one (they wait for the next runs,
    so more supply on this run serves them too), or when none of the team's runs took
    orders."""
    rows = (
        WaitingBuyer.objects.filter(told_at=None, cancelled_at=None)
        .filter(product__stockrecords__partner_id=run.team_id)
        .filter(Q(run__isnull=True) | Q(run__cutoff__lte=run.cutoff))
        .values("product_id")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    return {row["product_id"]: row["n"] for row in rows}


def waiting_rows(run):
    """[(product, buyers waiting)] for the run's supply page, most waited for first."""
    counts = waiting_on_run(run)
    products = Product.objects.in_bulk(list(counts))
    rows = [(products[pid], n) for pid, n in counts.items() if pid in products]
    return sorted(rows, key=lambda row: (-row[1], row[0].title))


def stock_freed(product_ids):
    """Stock may have appeared for ``product_ids``: the worker tells who waits. Call it
    after the commit that freed the stock."""
    product_ids = sorted({pid for pid in product_ids if pid})
    if (
        product_ids
        and WaitingBuyer.objects.filter(
            product_id__in=product_ids, told_at=None, cancelled_at=None
        ).exists()
    ):
        tell_waiting_buyers.delay(product_ids)


def supply_added(sender, product_ids, **kwargs):
    """fulfilment's ``supply_added`` signal (connected in ``WaitlistConfig.ready``)."""
    stock_freed(product_ids)


@shared_task(name="shop.waitlist.tasks.tell_waiting_buyers", **RETRY_ON_MISSING_ROWS)
def tell_waiting_buyers(product_ids):
    """Stock appeared for ``product_ids`` (a new supply commitment, a cancelled or smaller
    order): tell the buyers waiting for them, first come first told, once each. Returns
    how many were told."""
    return tell_waiting(product_ids)


def tell_waiting(product_ids):
    """Tell the first buyers waiting for each product, as many as its free units can
    serve, once each. Returns how many were told."""

    told = 0
    for product in Product.objects.filter(pk__in=product_ids).select_related("product_class"):
        left = free_units(product)
        queue = waiting(product).order_by("created", "pk")
        entries = list(queue if left is None else queue[:left])
        for entry in entries:
            marked = WaitingBuyer.objects.filter(pk=entry.pk, told_at=None, cancelled_at=None)
            if not marked.update(told_at=timezone.now()):
                continue  # told by another worker, or cancelled meanwhile
            _mail(entry, product)
            told += 1
    return told


def cancel_path(entry, language=None):
    with translation.override(language or entry.language):
        return reverse("waitlist:cancel", kwargs={"token": entry.token})


def _mail(entry, product):
    with translation.override(entry.language):
        title = product.get_title()
        body = _(
            "您好：\n\n您登记过的“%(title)s”又有货了，数量有限，先到先得：\n%(url)s\n\n"
            "我们只通知这一次。如果已经不需要了，不用理会这封邮件。\n"
            "谢谢您支持消费帮扶。"
        ) % {"title": title, "url": absolute(product.get_absolute_url())}
        send_mail(
            f"[{settings.OSCAR_SHOP_NAME}] " + _("“%(title)s”又有货了") % {"title": title},
            body,
            settings.OSCAR_FROM_EMAIL,
            [entry.email],
        )
