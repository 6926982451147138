"""The basket page and add-to-basket, without working out delivery runs or offers on
every request."""

from django import shortcuts
from oscar.apps.basket import views as oscar_views

from shop.basket.features import offers_exist
from shop.basket.forms import INPUTS_IN_PYTHON
from shop.shipping.methods import ChooseAtCheckout


class BasketView(oscar_views.BasketView):
    factory_kwargs = {**oscar_views.BasketView.factory_kwargs, "renderer": INPUTS_IN_PYTHON}

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


class BasketAddView(oscar_views.BasketAddView):
    def post(self, request, *args, **kwargs):
        # The form and the basket read the product's class and stock record (twice):
        # load them with it.
        products = self.product_model.objects.select_related(
            "product_class", "parent__product_class"
        ).prefetch_related("stockrecords")
        self.product = shortcuts.get_object_or_404(products, pk=kwargs["pk"])
        return super(oscar_views.BasketAddView, self).post(request, *args, **kwargs)
