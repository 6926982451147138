"""Villages, households, products and their stock records (factory_boy, on Oscar's models)."""

from decimal import Decimal as D

import factory
from oscar.core.loading import get_model

from catalogue.models import Household, Village
from tests.partner.factories import TeamFactory

StockRecord = get_model("partner", "StockRecord")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
Category = get_model("catalogue", "Category")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"测试{n}村")
    slug = factory.Sequence(lambda n: f"village-{n}")
    township = "城关镇"
    county = "南山县"
    province = "河南省"
    latitude = D("34.800000")
    longitude = D("113.500000")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    village = factory.SubFactory(VillageFactory)
    team = factory.SubFactory(TeamFactory)
    public_name = factory.Sequence(lambda n: f"王{n}大姐家")
    real_name = factory.Sequence(lambda n: f"王秀{n}英")
    phone = factory.Sequence(lambda n: f"1390000{n:04d}")
    status = Household.Status.OTHER
    consent_name = True


class ProductClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductClass
        django_get_or_create = ("slug",)

    name = "农产品"
    slug = "farm-produce"
    requires_shipping = True
    track_stock = True


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    title = factory.Sequence(lambda n: f"散养土鸡蛋{n}号")
    structure = Product.STANDALONE
    product_class = factory.SubFactory(ProductClassFactory)
    unit = Product.Unit.MEI
    order_step = 1
    is_public = True
    origin_village = factory.SubFactory(VillageFactory)


class StockRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockRecord

    product = factory.SubFactory(ProductFactory)
    partner = factory.SubFactory(TeamFactory)
    partner_sku = factory.Sequence(lambda n: f"SKU{n:05d}")
    price_currency = "CNY"
    price = D("1.50")
    num_in_stock = 100


def product_in_stock(team=None, price=D("1.50"), stock=100, **product_kwargs):
    """A public product with one stock record for ``team``."""
    team = team or TeamFactory()
    product = ProductFactory(**product_kwargs)
    StockRecordFactory(product=product, partner=team, price=price, num_in_stock=stock)
    return product
