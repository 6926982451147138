"""The demo loader builds a believable alliance and can run twice without duplicates."""

import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.test import Client
from oscar.core.loading import get_model

from catalogue.models import Household, Village
from content.models import HomePage, StoryPage
from fulfilment.models import PickupPoint

Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")


def counts():
    return {
        "teams": Partner.objects.count(),
        "villages": Village.objects.count(),
        "households": Household.objects.count(),
        "products": Product.objects.count(),
        "stock": StockRecord.objects.count(),
        "stories": StoryPage.objects.live().count(),
        "homes": HomePage.objects.count(),
        "points": PickupPoint.objects.count(),
    }


@pytest.mark.django_db
def test_demo_data_loads_twice_without_duplicates(capsys):
    call_command("load_demo")
    first = counts()
    call_command("load_demo")
    assert counts() == first
    assert first["teams"] >= 3
    assert first["villages"] >= 6
    assert first["households"] >= 30
    assert first["products"] >= 25
    assert first["stories"] >= 6
    assert first["homes"] == 1
    out = capsys.readouterr().out
    assert "buyer@example.cn" in out and "coordinator@example.cn" in out

    units = set(Product.objects.values_list("unit", flat=True))
    assert {"jin", "mei", "zhi", "xiang"} <= units
    assert all(p.images.exists() for p in Product.objects.all())

    client = Client()
    home = client.get("/")
    assert home.status_code == 200
    assert "本周新鲜" in home.content.decode()


@pytest.mark.django_db
def test_if_empty_skips_when_products_exist(capsys):
    call_command("load_demo")
    before = counts()
    call_command("load_demo", "--if-empty")
    assert counts() == before
    assert "skipping" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_demo_site_follows_the_address_it_is_served_on(settings):
    """``make run PORT=8767`` after a first run on 8000: Oscar's e-mails read the Site
    object's domain, which follows SHOP_BASE_URL even when the data is already there."""
    settings.SHOP_BASE_URL = "http://127.0.0.1:8000"
    call_command("load_demo")
    assert Site.objects.get_current().domain == "127.0.0.1:8000"
    settings.SHOP_BASE_URL = "http://127.0.0.1:8767"
    Site.objects.clear_cache()
    call_command("load_demo", "--if-empty")
    Site.objects.clear_cache()
    assert Site.objects.get_current().domain == "127.0.0.1:8767"
