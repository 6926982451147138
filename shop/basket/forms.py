"""Basket forms that respect a product's order step (eggs by the ten, onions by two jin)."""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.translation import gettext as _
from oscar.apps.basket import forms as oscar_forms

from catalogue import units
from shop.basket.features import options_exist


class InputsInPython(DjangoTemplates):
    """Django's form renderer, writing ``<input>`` widgets in Python.

    The basket page shows four inputs per line (quantity, line id, remove, save for later)
    and the formset's four (``BasketView`` and ``BasketLineForm`` use this renderer), the
    confirm page the buyer's name, mobile and e-mail (``ShippingAddressForm``); drawn
    through Django's widget templates they cost more than the rest of the line. The markup is exactly that of django/forms/widgets/input.html
    and attrs.html; every other template renders as usual.
    """

    INPUT_TEMPLATES = frozenset(
        f"django/forms/widgets/{name}.html"
        for name in ("input", "text", "email", "number", "hidden", "checkbox")
    )

    def render(self, template_name, context, request=None):
        if template_name not in self.INPUT_TEMPLATES:
            return super().render(template_name, context, request)
        widget = context["widget"]
        html = [
            f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        ]
        if widget["value"] is not None:
            html.append(f' value="{escape(widget["value"])}"')
        for name, value in widget["attrs"].items():
            if value is True:
                html.append(f" {conditional_escape(name)}")
            elif value is not False:
                html.append(f' {conditional_escape(name)}="{escape(value)}"')
        html.append(">")
        return "".join(html)


INPUTS_IN_PYTHON = InputsInPython()


def check_order_step(product, quantity):
    """Raise a Chinese validation error unless ``quantity`` is a whole number of steps."""
    step = getattr(product, "order_step", None) or 1
    if getattr(product, "is_child", False) and product.parent_id:
        step = getattr(product.parent, "order_step", None) or step
    if quantity and step > 1 and quantity % step:
        raise forms.ValidationError(
            _("这件产品按 %(step)s 的倍数购买，请改成 %(low)d 或 %(high)d。")
            % {
                "step": units.amount(step, product),
                "low": max(step, quantity - quantity % step),
                "high": quantity - quantity % step + step,
            }
        )


class AddToBasketForm(oscar_forms.AddToBasketForm):
    def __init__(self, basket, product, *args, **kwargs):
        if not options_exist():
            product.has_options = False  # Oscar would ask the database twice
        super().__init__(basket, product, *args, **kwargs)

    def cleaned_options(self):
        return super().cleaned_options() if self.parent_product.has_options else []

    def clean_quantity(self):
        """Oscar's basket limit, read from the basket (``Basket.max_allowed_quantity``:
        higher for an institution's bulk orders), and the product's order step."""
        qty = self.cleaned_data["quantity"]
        max_allowed, threshold = self.basket.max_allowed_quantity()
        if threshold and qty > max_allowed:
            raise forms.ValidationError(
                _("一张订单最多 %(threshold)s 件，购物车里已有 %(basket)s 件。")
                % {"threshold": threshold, "basket": self.basket.num_items}
            )
        check_order_step(self.product, qty)
        return qty


class SimpleAddToBasketForm(AddToBasketForm):
    """Oscar's one-click form (quantity hidden), with the same step rule."""

    quantity = forms.IntegerField(initial=1, min_value=1, widget=forms.HiddenInput, label=_("数量"))


class SavedLineForm(oscar_forms.SavedLineForm):
    """Oscar's form for a saved line; a posted id that is not one of the buyer's saved
    lines (another buyer's, or one already moved) leaves the form without a line."""

    def clean(self):
        if self.instance.pk is None:
            raise forms.ValidationError(_("这件商品已不在您的收藏里，请刷新购物车页面。"))
        return super().clean()


class BasketLineForm(oscar_forms.BasketLineForm):
    default_renderer = INPUTS_IN_PYTHON

    def clean_quantity(self):
        qty = super().clean_quantity()
        check_order_step(self.instance.product, qty)
        return qty
