"""A team's products kept up from a phone: the list, price, stock, photo and new products.

Stock lives on the team's Oscar stock record. ``num_allocated`` counts what baskets being
paid for and placed orders hold (``shop.partner.reservations`` raises it with one guarded
UPDATE), so a level is changed on the row locked ``FOR UPDATE`` and saved with
``update_fields``: a reservation made meanwhile waits for the lock and is never written
over, and the level is never set below what is held (no oversell). Products the team has
supply commitments for follow ``fulfilment.supply``'s stock rule instead and are not typed
in here. Every change goes through ``save()``, so the audit log (``shop.desk.audit``,
with the person's note through ``audit.noting``), the page cache and the search
index follow as they do for the dashboard.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Prefetch, Q
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from catalogue.models import Household
from fulfilment import supply
from fulfilment.signals import supply_added
from shop.desk import audit
from shop.partner.levels import StockError, new_level

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")
StockRecord = get_model("partner", "StockRecord")


@dataclass
class Row:
    """One line of the phone list: the stock record with its product and whether its
    stock follows the households' commitments."""

    record: object
    governed: bool

    @property
    def product(self):
        return self.record.product

    @property
    def available(self):
        return max(0, (self.record.num_in_stock or 0) - (self.record.num_allocated or 0))


def records(teams, query=""):
    """The teams' stock records with what the list shows, searchable by product name,
    village or household; a fixed number of queries whatever the count."""
    rows = (
        StockRecord.objects.filter(partner__in=teams)
        .select_related("partner", "product__origin_village")
        .prefetch_related(
            "product__images",
            Prefetch("product__households", queryset=Household.objects.only("pk", "public_name")),
        )
        .order_by("partner__name", "-product__is_public", "product__title", "pk")
    )
    query = (query or "").strip()[:50]
    if query:
        matching = Product.objects.filter(
            Q(title__icontains=query)
            | Q(upc__iexact=query)
            | Q(origin_village__name__icontains=query)
            | Q(households__public_name__icontains=query)
        )
        rows = rows.filter(product__in=matching.values("pk"))
    return rows


def rows_for(page_records):
    page_records = list(page_records)
    governed = supply.governed_pairs(
        {r.partner_id for r in page_records}, [r.product_id for r in page_records]
    )
    return [Row(r, (r.partner_id, r.product_id) in governed) for r in page_records]


def record_or_none(teams, product_id):
    return (
        StockRecord.objects.filter(partner__in=teams, product_id=product_id)
        .select_related("partner", "product__origin_village")
        .order_by("pk")
        .first()
    )


def is_governed(record):
    return bool(supply.governed_pairs([record.partner_id], [record.product_id]))


@transaction.atomic
def update(record, *, product_fields, price, stock=None, photo=None, note=""):
    """Write one phone edit: the product's own fields, the price, a stock change
    ``(mode, amount)`` and a new main photo, all or nothing. Raises ``StockError``
    (nothing written) when the stock change would go below what buyers hold."""
    locked = StockRecord.objects.select_for_update().get(pk=record.pk)
    fields = []
    if stock is not None:
        if is_governed(locked):
            raise StockError(_("这个产品的库存跟着农户的供货承诺走，请到批次的“供货”里改。"))
        mode, amount = stock
        level = new_level(
            locked.num_in_stock or 0,
            locked.num_allocated or 0,
            mode,
            amount,
            locked.product.get_unit_display(),
        )
        if level != locked.num_in_stock:
            if level > (locked.num_in_stock or 0):
                # buyers waiting for it hear of the new stock (shop.waitlist answers)
                transaction.on_commit(
                    lambda: supply_added.send(StockRecord, product_ids=[locked.product_id])
                )
            locked.num_in_stock = level
            fields.append("num_in_stock")
    if price != locked.price:
        locked.price = price
        fields.append("price")
    with audit.noting(note):
        if fields:
            locked.save(update_fields=fields)
        product = locked.product
        changed = [
            name for name, value in product_fields.items() if getattr(product, name) != value
        ]
        for name in changed:
            setattr(product, name, product_fields[name])
        if changed:
            product.save()
        if photo is not None:
            add_main_photo(product, photo)
    return locked


def add_main_photo(product, photo):
    """The new photo goes first; earlier ones stay behind it (the dashboard can drop
    them). Saving the image makes its sizes (``catalogue.tasks.warm_product_images``)."""
    product.images.update(display_order=F("display_order") + 1)
    ProductImage.objects.create(product=product, original=photo, display_order=0)


@transaction.atomic
def create(team, *, fields, category, households, price, stock, photo=None):
    """A new product sold by ``team`` with its stock record, category and households."""
    product_class = (
        ProductClass.objects.filter(slug="farm-produce").first() or ProductClass.objects.first()
    )
    product = Product(structure=Product.STANDALONE, product_class=product_class, **fields)
    product.save()
    StockRecord.objects.create(
        product=product,
        partner=team,
        partner_sku=f"{team.code}-{product.pk}",
        price_currency="CNY",
        price=price,
        num_in_stock=stock,
    )
    ProductCategory.objects.create(product=product, category=category)
    if households:
        product.households.set(households)
    if photo is not None:
        add_main_photo(product, photo)
    return product


def recent_changes(record, limit=5):
    """The last price and stock changes of ``record`` from the audit log, newest first."""

    return audit.history(record, limit)
