"""The basket, with its lines loaded once per request and counted in memory."""

import functools

from django.db import models
from django.utils import timezone
from oscar.apps.basket.abstract_models import AbstractBasket, AbstractLine
from oscar.core.loading import get_model

from shop.basket.features import options_exist
from shop.institutions.membership import basket_threshold
from shop.speed import Joined, as_loaded, keep_as_prefetched

# The shop sells standalone products (no variants), so no line's product has a parent to
# join: the join cost every checkout step half a millisecond for nothing. A variant's
# parent, should one ever be sold, is read when asked for.
_LINE_JOINS = (
    "product",
    "product__product_class",
    "stockrecord",
    "stockrecord__partner",
)


def _lines_of_basket(basket):
    """Every checkout step reads the lines, from the primary (where they were written), in
    one statement written once per process (``shop.speed.Joined``)."""
    return _line_rows.fetch(basket, using="default")


def _images_of_products(products):
    """The basket page and the order confirmation show each line's photo: the products'
    images in their display order, from the primary, in a statement written once per
    process (``shop.speed.Joined``; building it with the ORM took four times as long)."""
    images = _image_rows().fetch_in(products, using="default")
    return sorted(images, key=lambda image: (image.display_order, image.pk))


@functools.cache
def _image_rows():
    return Joined(get_model("catalogue", "ProductImage"), "product", [])


def _keep_line_images(lines):
    """Give each line's product its images (``product.images.all()``) in one query."""
    products = [
        line.product
        for line in lines
        if line.product is not None
        and "images" not in line.product.__dict__.get("_prefetched_objects_cache", {})
    ]
    if not products:
        return
    images = {}
    for image in _images_of_products(products=sorted({product.pk for product in products})):
        images.setdefault(image.product_id, []).append(image)
    for product in products:
        keep_as_prefetched(product, "images", images.get(product.pk, []))


class Basket(AbstractBasket):
    # Pages that show each line's photo (the basket page, the checkout preview) set this
    # with ``show_line_images`` before the lines load; other pages skip the images query.
    _line_images = False

    def max_allowed_quantity(self):
        """Oscar's basket threshold, raised for an institution's members' bulk orders
        (``shop.institutions.membership.basket_threshold``)."""
        threshold = basket_threshold(self.owner_id)
        return threshold - self.num_items, threshold

    def all_lines(self):
        """Oscar's cached line set, plus what the pages read from each line's product.

        Without the joins every line costs more queries (its product class, its stock
        record and team, read by the pricing strategy and the order lines).
        """
        if self.id is None:  # not saved: no lines, and nothing to ask the database
            return self._no_lines()
        if self._lines is None:
            if options_exist():
                # Line options need an Option row; only then are there any to look up.
                self._lines = (
                    self.lines.select_related(*_LINE_JOINS)
                    .order_by(self._meta.pk.name)
                    .prefetch_related("attributes")
                )
            else:
                loaded = _lines_of_basket(basket=self.id)
                basket_field = self.lines.model._meta.get_field("basket")
                for line in loaded:
                    basket_field.set_cached_value(line, self)
                    keep_as_prefetched(line, "attributes", [])
                self._lines = as_loaded(self.lines.all(), loaded)
            if self._line_images:
                self.show_line_images()
        return self._lines

    def add_product(self, product, quantity=1, options=None):
        new_basket = self.id is None
        if new_basket:
            self.save()
            # Saved just now: no lines, known without asking (Oscar reads the currency of
            # the first line before adding one).
            self._lines = self._no_lines()
            self._has_no_lines = True  # so the line is created without looking first
        try:
            line, created = super().add_product(product, quantity, options)
        finally:
            self._has_no_lines = False
        if new_basket and created and not options:
            # Its only line is the one just made, with the product and stock record the
            # caller loaded: the message with the new total needs no query.
            self._lines = as_loaded(self.lines.all(), [line])
            self._lines_exact = True  # until the next change (shop.basket.utils)
            keep_as_prefetched(line, "attributes", [])  # made without options: none
        return line, created

    add_product.alters_data = True
    add = add_product

    def submit(self):
        """Oscar's, once: checkout submits the basket in the order's transaction
        (``shop.checkout.views``), and Oscar's steps after the commit submit it again;
        that second call, and any later one, changes nothing. Writes only the two
        fields it changes."""
        if self.status == self.SUBMITTED and self.date_submitted is not None:
            return
        self.status = self.SUBMITTED
        self.date_submitted = timezone.now()
        self.save(update_fields=["status", "date_submitted"])

    submit.alters_data = True
    set_as_submitted = submit

    def show_line_images(self):
        self._line_images = True
        lines = self._lines
        if lines is not None and lines._result_cache is not None:
            _keep_line_images(lines._result_cache)
        elif lines is not None:
            self._lines = lines.prefetch_related("product__images")

    # Oscar counts and sums with extra queries; every caller needs the lines anyway. A
    # product or stock record has one line unless products have options.

    @property
    def num_lines(self):
        return len(self.all_lines())

    @property
    def num_items(self):
        """Oscar's, but a page that shows only the count (the header's and the tab bar's
        basket badge over a cached page) sums the quantities in the database instead of
        loading every line with its product, stock record and team."""
        if self._lines is None and self.id is not None:
            found = (
                self.lines.model.objects.using("default")
                .filter(basket_id=self.id)
                .aggregate(total=models.Sum("quantity"))
            )
            return found["total"] or 0
        return super().num_items

    def _no_lines(self):
        """An empty line set that never asks the database."""
        return as_loaded(self.lines.model.objects.none(), [])

    def product_quantity(self, product):
        if options_exist():
            return super().product_quantity(product)
        return sum(line.quantity for line in self.all_lines() if line.product_id == product.pk)

    def basket_quantity(self, line):
        if options_exist():
            return super().basket_quantity(line)
        return sum(
            other.quantity
            for other in self.all_lines()
            if other.stockrecord_id == line.stockrecord_id
        )


class LineQuerySet(models.QuerySet):
    def get_or_create(self, defaults=None, **kwargs):
        """Oscar's ``add_product`` looks for the line first; a basket saved in the same
        call has none, so its line is created at once: one query, no transaction."""
        basket = kwargs.get("basket")
        if basket is not None and getattr(basket, "_has_no_lines", False):
            return self.create(**kwargs, **(defaults or {})), True
        return super().get_or_create(defaults, **kwargs)


class Line(AbstractLine):
    objects = LineQuerySet.as_manager()


_line_rows = Joined(Line, "basket", _LINE_JOINS)  # its SQL is written on the first read


from oscar.apps.basket.models import *  # noqa: E402,F401,F403
