"""Oscar's product counters (basket additions, purchases), each kept in one statement.

Oscar's receivers count with an ORM ``update()`` (its SQL built on every call) and, for a
product counted for the first time, a second query to create the row. Every
add-to-basket and every order line pays for that. Here each count is one upsert with a
fixed statement: the row is created or incremented in the same query, so two buyers
counting the same new product at once cannot collide. (The catalogue's "popular first"
order reads ``Product.units_handed_over`` instead, ``catalogue.sort_figures``.) Counts for signed-in users (``UserRecord``) stay Oscar's.

An order's purchases are counted once its transaction has committed: every order of a
product would otherwise hold that product's counter row locked while the rest of the
order is written, and orders of one product would queue behind each other on it.
"""

from django.db import connection, transaction
from oscar.apps.analytics import receivers as oscar_receivers
from oscar.apps.basket.signals import basket_addition
from oscar.apps.order.signals import order_placed
from oscar.core.loading import get_model

ProductRecord = get_model("analytics", "ProductRecord")
UserRecord = get_model("analytics", "UserRecord")
COUNTERS = ("num_views", "num_basket_additions", "num_purchases")


def _upsert_sql(counter, rows, quick=False):
    """The upsert; with ``quick`` (PostgreSQL, outside a transaction) its commit does not
    wait for the disk: a product's counter row is locked until the commit, and a count lost
    when the server stops is only a count."""
    table = connection.ops.quote_name(ProductRecord._meta.db_table)
    columns = ", ".join(("product_id", *COUNTERS, "score"))
    values = ", ".join(
        "(%s, " + ", ".join("%s" if name == counter else "0" for name in COUNTERS) + ", 0)"
        for _ in range(rows)
    )
    if quick:
        values = values.replace("%s", "%s::integer")
        values = (
            f"SELECT v.* FROM (VALUES {values}) v, (SELECT set_config("
            f"'synchronous_commit', 'off', true)) quick"
        )
    else:
        values = f"VALUES {values}"
    return (
        f"INSERT INTO {table} ({columns}) {values} "
        f"ON CONFLICT (product_id) DO UPDATE SET {counter} = {table}.{counter} + excluded.{counter}"
    )


def count(counter, amounts):
    """Add ``{product_id: amount}`` to ``counter`` of each product's record."""
    amounts = {pk: n for pk, n in amounts.items() if n}
    if not amounts:
        return
    params = [value for pair in sorted(amounts.items()) for value in pair]
    quick = connection.vendor == "postgresql" and connection.get_autocommit()
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(counter, len(amounts), quick), params)


def receive_basket_addition(sender, product, user, **kwargs):
    if kwargs.get("raw", False):
        return
    count("num_basket_additions", {product.pk: 1})
    if user and user.is_authenticated:
        oscar_receivers._update_counter(UserRecord, "num_basket_additions", {"user": user})


def receive_order_placed(sender, order, user, **kwargs):
    if kwargs.get("raw", False):
        return
    bought = {}
    for line in order.lines.all():
        if line.product_id:
            bought[line.product_id] = bought.get(line.product_id, 0) + line.quantity

    def count_purchases():
        count("num_purchases", bought)
        if user and user.is_authenticated:
            oscar_receivers._record_user_order(user, order)

    transaction.on_commit(count_purchases)


def connect():
    """Take the place of Oscar's two receivers (connected by its analytics app)."""
    basket_addition.disconnect(oscar_receivers.receive_basket_addition)
    order_placed.disconnect(oscar_receivers.receive_order_placed)
    basket_addition.connect(receive_basket_addition, dispatch_uid="shop-analytics-basket")
    order_placed.connect(receive_order_placed, dispatch_uid="shop-analytics-order")
