"""The basket page and add-to-basket, without working out delivery runs or offers on
every request."""

from django.http import Http404, JsonResponse
from django.template.loader import render_to_string
from oscar.apps.basket import views as oscar_views
from oscar.core.loading import get_model

from shop.basket.features import offers_exist
from shop.basket.forms import INPUTS_IN_PYTHON
from shop.basket.utils import added_message
from shop.shipping.methods import ChooseAtCheckout
from shop.speed import Joined, frames, keep_as_prefetched

Line = get_model("basket", "Line")
Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")


# Read on every add-to-basket: the product with what the form and the basket read from
# it, its class and its stock records (from the primary). No parent: the shop sells
# standalone products (shop.basket.models._LINE_JOINS); a variant's parent is read if asked.
# The stock records with their product and its class in one statement written once per
# process (shop.speed.Joined); a product with no stock record is read alone.
_stock_with_product = Joined(StockRecord, "product", ["product", "product__product_class"])
_product_with_class = Joined(Product, "id", ["product_class"])


def _product_and_stock(pk):
    """(the product with its class, its stock records in key order), or None."""
    records = _stock_with_product.fetch(pk, using="default")
    if not records:
        found = _product_with_class.fetch(pk, using="default")
        return (found[0], []) if found else None
    product = records[0].product
    for record in records[1:]:
        record.product = product  # one instance, as a prefetch would leave it
    return product, records


class BasketView(oscar_views.BasketView):
    factory_kwargs = {**oscar_views.BasketView.factory_kwargs, "renderer": INPUTS_IN_PYTHON}
    # The lines, the totals and the messages are drawn for each buyer; the rest of the
    # page is the same for everyone and drawn once per worker.
    response_class = frames.FramedResponse

    def get_queryset(self):
        self.request.basket.show_line_images()
        return super().get_queryset()

    def get_shipping_methods(self, basket):
        return []

    def get_default_shipping_method(self, basket):
        return ChooseAtCheckout()

    def get_upsell_messages(self, basket):
        return super().get_upsell_messages(basket) if offers_exist() else []

    def get_basket_voucher_form(self):
        # A voucher only does something through an offer.
        return super().get_basket_voucher_form() if offers_exist() else None

    def remove_deleted_forms(self, formset):
        # Oscar copies every management field from the request when it redisplays the
        # formset; a hand-made POST may lack the optional MIN/MAX_NUM_FORMS.
        data = formset.data.copy()
        for name, value in (("MIN_NUM_FORMS", formset.min_num), ("MAX_NUM_FORMS", formset.max_num)):
            data.setdefault(formset.add_prefix(name), str(value))
        formset.data = data
        removed = super().remove_deleted_forms(formset)
        # The lines are gone from the database; the basket's totals and count read them
        # again (Oscar reloads the basket only after a fully valid change).
        self.request.basket.reset_offer_applications()
        return removed

    def json_response(self, ctx, flash_messages):
        """Oscar's reply to the basket script, with the basket's new count for the badges
        in the header and the tab bar, which the script's redraw does not reach."""
        content = render_to_string(
            "oscar/basket/partials/basket_content.html", context=ctx, request=self.request
        )
        return JsonResponse(
            {
                "content_html": content,
                "messages": flash_messages.as_dict(),
                "basket_count": self.request.basket.num_items,
            }
        )


class SavedView(oscar_views.SavedView):
    """Oscar's "saved for later" lines. Oscar answers a buyer without a saved basket with
    a plain list, which the form set cannot read (a 500); here it is an empty queryset,
    and ``SavedLineForm`` refuses a line that is not in it."""

    def get_queryset(self):
        lines = super().get_queryset()
        return lines if hasattr(lines, "ordered") else Line.objects.none()


class BasketAddView(oscar_views.BasketAddView):
    def post(self, request, *args, **kwargs):
        # The form and the basket read the product's class and stock record (twice):
        # load them with it, in one statement.
        found = _product_and_stock(kwargs["pk"])
        if found is None:
            raise Http404
        self.product, records = found
        keep_as_prefetched(self.product, "stockrecords", records)
        return super(oscar_views.BasketAddView, self).post(request, *args, **kwargs)

    def get_success_message(self, form):
        return added_message(form.product, form.cleaned_data["quantity"])
