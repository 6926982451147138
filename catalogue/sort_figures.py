"""The figures the catalogue sorts by, stored on the product (``Product.lowest_price``,
``Product.units_handed_over``) so "price" and "most popular" are index scans that stop
after a page instead of reading every product.

* ``lowest_price``: the product's cheapest stock record price (none without one). Every
  stock record save or delete sets it again here, in the same transaction, with one
  ``UPDATE`` that writes the product only when the figure changed. Prices are edited
  through ``StockRecord.save`` everywhere (the team's product page, the sheet import, the
  dashboard); a bulk write that bypasses it calls ``set_lowest_prices``.
* ``units_handed_over``: units handed over, net of cuts and refunds: the product's
  running cells summed over days. ``shop.figures.running`` adds each order event's
  difference here (``add_units``) in the event's transaction.

``differences`` lists the products whose stored figures disagree with the records and
``rebuild`` writes them again (``manage.py rebuild_figures [--check]`` runs them).
"""

from django.db import connection
from django.db.models import F, Min
from django.db.models.signals import post_delete, post_init, post_save
from oscar.core.loading import get_model

PRICE_FIELDS = {"price", "product", "product_id"}


def _lowest_price_sql(where):
    Product = get_model("catalogue", "Product")
    StockRecord = get_model("partner", "StockRecord")
    q = connection.ops.quote_name
    product, stock = q(Product._meta.db_table), q(StockRecord._meta.db_table)
    cheapest = f"(SELECT MIN(s.{q('price')}) FROM {stock} s WHERE s.{q('product_id')} = {product}.{q('id')})"
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    return (
        f"UPDATE {product} SET {q('lowest_price')} = {cheapest} "
        f"WHERE {where} AND {q('lowest_price')} {differs} {cheapest}"
    )


def set_lowest_prices(product_ids=None):
    """Set ``lowest_price`` of ``product_ids`` (every product when None) from their stock
    records; returns how many products changed."""
    q = connection.ops.quote_name
    if product_ids is None:
        where, params = "1 = 1", []
    else:
        ids = sorted({int(pk) for pk in product_ids if pk is not None})
        if not ids:
            return 0
        where, params = f"{q('id')} IN ({', '.join(['%s'] * len(ids))})", ids
    with connection.cursor() as cursor:
        cursor.execute(_lowest_price_sql(where), params)
        return cursor.rowcount


def stock_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    # Allocations and stock levels are written without touching the price: nothing to do.
    if raw:
        return
    if update_fields is not None and not PRICE_FIELDS & set(update_fields):
        return
    previous = getattr(instance, "_sort_figures_product", None)
    set_lowest_prices({instance.product_id, previous} - {None})
    instance._sort_figures_product = instance.product_id


def stock_loaded(sender, instance, **kwargs):
    # Read __dict__ only (a deferred field would cost a query): the product it was on,
    # so moving a stock record to another product sets both products' prices.
    instance._sort_figures_product = instance.__dict__.get("product_id")


def stock_deleted(sender, instance, **kwargs):
    set_lowest_prices([instance.product_id])


def connect():
    StockRecord = get_model("partner", "StockRecord")
    post_save.connect(stock_saved, sender=StockRecord, dispatch_uid="sort-figures-stock-save")
    post_delete.connect(stock_deleted, sender=StockRecord, dispatch_uid="sort-figures-stock-del")
    post_init.connect(stock_loaded, sender=StockRecord, dispatch_uid="sort-figures-stock-init")


# --- checked against the records -------------------------------------------------------


def differences(units):
    """[(product id, kept (units, price), computed (units, price))] where the stored
    figures disagree with ``units`` ({product id: units handed over}, from the running
    figures) and the stock records' lowest prices."""
    Product = get_model("catalogue", "Product")
    StockRecord = get_model("partner", "StockRecord")
    prices = dict(
        StockRecord.objects.values("product_id")
        .annotate(low=Min("price"))
        .values_list("product_id", "low")
        .order_by()
    )
    result = []
    for pk, kept_units, kept_price in Product.objects.values_list(
        "pk", "units_handed_over", "lowest_price"
    ).order_by("pk"):
        should = (units.get(pk, 0), prices.get(pk))
        if (kept_units, kept_price) != should:
            result.append((pk, (kept_units, kept_price), should))
    return result


def rebuild(units):
    """Write every product's sort figures again (``units`` as for ``differences``);
    returns how many products changed."""
    Product = get_model("catalogue", "Product")
    wrong = differences(units)
    products = Product.objects.in_bulk([pk for pk, _have, _should in wrong])
    for pk, _have, (count, price) in wrong:
        products[pk].units_handed_over = count
        products[pk].lowest_price = price
    Product.objects.bulk_update(
        list(products.values()), ["units_handed_over", "lowest_price"], batch_size=1000
    )
    return len(products)


def add_units(deltas):
    """Add ``{product id: units}`` to the products' ``units_handed_over``, in the caller's
    transaction (``shop.figures.running``, as an order event changes its cells)."""
    Product = get_model("catalogue", "Product")
    for pk, count in sorted(deltas.items()):
        if pk and count:
            Product.objects.filter(pk=pk).update(units_handed_over=F("units_handed_over") + count)
