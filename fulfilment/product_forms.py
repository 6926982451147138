"""The phone forms for a team's products: edit one (name, price, stock, description, on sale,
a photo from the camera) and add one (plus unit, category, village and households)."""

import html
import re
from decimal import Decimal

from django import forms
from django.utils.html import linebreaks, strip_tags
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from catalogue import units
from catalogue.models import Household, Village
from shop.core.images import LimitedImageField
from shop.partner import levels

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")

MAX_PHOTO_BYTES = 25 * 1024 * 1024  # a 40-megapixel phone JPEG is about 15 MB
NUMBER_INPUT = {"inputmode": "decimal", "autocomplete": "off"}


def description_text(markup):
    """A product description (HTML, shown as is on the product page) as the plain text a
    phone's text box shows: paragraphs and line breaks kept, tags dropped."""
    text = re.sub(r"(?i)</p>|</h\d>", "\n\n", markup or "")
    text = re.sub(r"(?i)<br\s*/?>|</li>", "\n", text)
    text = html.unescape(strip_tags(text))
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def description_markup(text):
    """Plain text from the phone as the HTML the product page shows, escaped."""
    return linebreaks(text, autoescape=True) if text else ""


def _decimal_field(
    label, *, low, high, digits, places, invalid, too_small, too_big, too_precise, **kwargs
):
    """A number typed on the phone's decimal keypad, with a message for each way it can be
    wrong (too many digits reads as too big). Optional unless ``required_message`` is
    given; other keyword arguments go to the field."""
    messages = {
        "invalid": invalid,
        "min_value": too_small,
        "max_value": too_big,
        "max_decimal_places": too_precise,
        "max_digits": too_big,
    }
    required_message = kwargs.pop("required_message", None)
    if required_message is not None:
        messages["required"] = required_message
    return forms.DecimalField(
        label=label,
        required=required_message is not None,
        min_value=low,
        max_value=high,
        max_digits=digits,
        decimal_places=places,
        widget=forms.TextInput(attrs=NUMBER_INPUT),
        error_messages=messages,
        **kwargs,
    )


class CameraPhotoField(LimitedImageField):
    """The shop's photo field (40-megapixel limit) with the phone's back camera offered and
    messages a team member can act on."""

    default_error_messages = {
        "invalid_image": _("这张照片打不开（文件坏了或不是图片），请重新拍一张。"),
        "empty": _("照片是空文件，请重新拍一张。"),
    }
    widget = forms.FileInput(attrs={"accept": "image/*", "capture": "environment"})

    def to_python(self, data):
        if data and getattr(data, "size", 0) > MAX_PHOTO_BYTES:
            raise forms.ValidationError(
                _("照片文件太大了（最多 %(mb)d MB），请换一张或调低相机画质。")
                % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)},
                code="file_too_big",
            )
        return super().to_python(data)


class ProductPhoneForm(forms.Form):
    """One product of the team. ``stock_mode``/``stock_amount`` change the level (set to, add,
    take away); a level set to the value the page showed (``stock_was``) is no change, so
    saving only a new price never rewrites stock that moved meanwhile. Stock is left out
    when it follows the households' commitments (``governed``)."""

    title = forms.CharField(
        label=_("名称"),
        max_length=255,
        error_messages={"required": _("请填产品名称。"), "max_length": _("名称太长了。")},
    )
    price = _decimal_field(
        _("单价（元）"),
        low=Decimal("0.01"),
        high=Decimal("99999"),
        digits=7,
        places=2,
        invalid=_("单价要填数字，例如 12.50。"),
        too_small=_("单价要大于 0。"),
        too_big=_("单价太大了（最多 99999 元）。"),
        too_precise=_("单价最多两位小数（到分）。"),
        required_message=_("请填单价。"),
    )
    price_per_jin = _decimal_field(
        _("按重量计价：每斤价格（元，可不填）"),
        low=Decimal("0.01"),
        high=Decimal("9999"),
        digits=6,
        places=2,
        invalid=_("每斤价格要填数字，例如 40。"),
        too_small=_("每斤价格要大于 0。"),
        too_big=_("每斤价格太大了。"),
        too_precise=_("每斤价格最多两位小数（到分）。"),
        help_text=_("按只卖、按实重结算（如散养土鸡）时填写，连同每件约重；单价就按估重算"),
    )
    estimated_jin = _decimal_field(
        _("每件约重（斤，可不填）"),
        low=Decimal("0.1"),
        high=units.MAX_JIN_PER_PIECE,
        digits=3,
        places=1,
        invalid=_("约重要填数字，例如 3 或 3.5。"),
        too_small=_("约重要大于 0。"),
        too_big=_("约重太大了（每件最多 20 斤）。"),
        too_precise=_("约重最多一位小数。"),
    )
    stock_mode = forms.ChoiceField(
        label=_("库存"),
        choices=[
            (levels.SET, _("改为")),
            (levels.ADD, _("加上")),
            (levels.SUBTRACT, _("减去")),
        ],
        initial=levels.SET,
        required=False,
    )
    stock_amount = forms.IntegerField(
        label=_("数量"),
        min_value=0,
        max_value=levels.MAX_LEVEL,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        error_messages={
            "invalid": _("库存要填整数，例如 30。"),
            "min_value": _("库存数量不能是负数；要减少库存请选“减去”。"),
            "max_value": _("库存数量太大了。"),
        },
    )
    stock_was = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(
        label=_("简介"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("几句话说说产品：怎么养的、什么口感、多大个。"),
    )
    is_public = forms.BooleanField(label=_("上架销售"), required=False)
    photo = CameraPhotoField(
        label=_("拍照片"),
        required=False,
        help_text=_("用手机拍一张，会作为主图；原来的照片保留在后面。"),
    )
    note = forms.CharField(
        label=_("修改说明（可不填）"),
        max_length=200,
        required=False,
        help_text=_("例如：今天新收了 30 枚；鸡蛋涨价。会记在操作记录里。"),
    )

    def __init__(self, *args, record=None, governed=False, unit="", **kwargs):
        self.record = record
        self.unit_code = units.code(record.product) if record is not None else ""
        self.governed = governed
        if record is not None and not kwargs.get("initial"):
            product = record.product
            kwargs["initial"] = {
                "title": product.title,
                "price": record.price,
                "stock_mode": levels.SET,
                "stock_amount": record.num_in_stock,
                "stock_was": record.num_in_stock,
                "description": description_text(product.description),
                "is_public": product.is_public,
                "price_per_jin": product.price_per_jin,
                "estimated_jin": product.estimated_jin,
            }
        super().__init__(*args, **kwargs)
        self.unit_label = unit
        if governed:
            for name in ("stock_mode", "stock_amount", "stock_was"):
                del self.fields[name]

    def clean_by_weight(self, data):
        """Priced by weight takes both figures, and the price per piece is their product
        (``catalogue.units.WeightRule.estimated_price``): what the buyer pays at checkout."""
        per_jin, estimate = data.get("price_per_jin"), data.get("estimated_jin")
        if "price_per_jin" in self.errors or "estimated_jin" in self.errors:
            return data
        if (per_jin is None) != (estimate is None):
            self.add_error(
                "estimated_jin" if estimate is None else "price_per_jin",
                _("按重量计价要同时填每斤价格和每件约重；不按重量计价就都留空。"),
            )
        elif per_jin is not None:
            if self.unit_code in ("jin", "kg"):
                self.add_error("price_per_jin", _("按斤或公斤卖的产品不用再按重量计价。"))
                return data
            data["price"] = units.WeightRule(per_jin, estimate).estimated_price
            self.errors.pop("price", None)
        elif data.get("price") is None and "price" not in self.errors:
            self.add_error("price", _("请填单价。"))
        return data

    def clean(self):
        data = self.clean_by_weight(super().clean())
        if self.governed or "stock_amount" in self.errors:
            return data
        mode, amount = data.get("stock_mode") or levels.SET, data.get("stock_amount")
        if amount is None and (self.record is None or mode != levels.SET):
            self.add_error("stock_amount", _("请填库存数量。"))
        return data

    def stock_change(self):
        """``(mode, amount)`` to apply, or ``None`` when the stock is left as it was."""
        if self.governed:
            return None
        mode = self.cleaned_data.get("stock_mode") or levels.SET
        amount = self.cleaned_data.get("stock_amount")
        if amount is None:
            return None
        if mode == levels.SET and amount == self.cleaned_data.get("stock_was"):
            return None
        if mode != levels.SET and amount == 0:
            return None
        return mode, amount

    def product_fields(self):
        """The product's fields to write. A description whose text is unchanged keeps its
        markup (the dashboard's editor may have set bold or lists the phone does not show)."""
        data = self.cleaned_data
        fields = {
            "title": data["title"],
            "is_public": data["is_public"],
            "price_per_jin": data.get("price_per_jin"),
            "estimated_jin": data.get("estimated_jin"),
        }
        if self.record is None or data["description"] != description_text(
            self.record.product.description
        ):
            fields["description"] = description_markup(data["description"])
        return fields


class NewProductForm(ProductPhoneForm):
    """A product the team starts selling from the phone: the edit fields plus what a new one
    needs (unit, category, where it comes from). Stock is typed as a level."""

    unit = forms.ChoiceField(label=_("销售单位"), choices=Product.Unit.choices)
    category = forms.ModelChoiceField(
        label=_("分类"),
        queryset=Category.objects.none(),
        empty_label=_("请选择"),
        error_messages={"required": _("请选一个分类。")},
    )
    origin_village = forms.ModelChoiceField(
        label=_("产地村"), queryset=Village.objects.none(), required=False, empty_label="-"
    )
    households = forms.ModelMultipleChoiceField(
        label=_("供货农户"),
        queryset=Household.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    field_order = [
        "title",
        "unit",
        "price",
        "price_per_jin",
        "estimated_jin",
        "stock_amount",
        "category",
        "origin_village",
        "households",
        "description",
        "is_public",
        "photo",
    ]

    def __init__(self, *args, team, **kwargs):
        kwargs.setdefault("initial", {"is_public": True})
        super().__init__(*args, **kwargs)
        del self.fields["stock_mode"], self.fields["stock_was"], self.fields["note"]
        self.fields["stock_amount"].label = _("库存")
        self.fields["stock_amount"].required = True
        self.fields["stock_amount"].error_messages["required"] = _("请填库存数量。")
        self.fields["category"].queryset = Category.objects.order_by("path")
        self.fields["origin_village"].queryset = Village.objects.filter(teams=team)
        self.fields["households"].queryset = Household.objects.filter(team=team).select_related(
            "village"
        )
        self.team = team

    def clean(self):
        self.unit_code = self.data.get(self.add_prefix("unit"), "")
        return self.clean_by_weight(forms.Form.clean(self))

    def product_fields(self):
        data = self.cleaned_data
        return {
            **super().product_fields(),
            "unit": data["unit"],
            "origin_village": data["origin_village"],
        }
