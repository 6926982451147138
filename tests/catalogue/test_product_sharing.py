"""Product pages carry share metadata; product cards offer sized WebP photos."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from catalogue.models import ProductImage


def add_photo(product):
    buf = io.BytesIO()
    Image.new("RGB", (800, 800), "#f0d9b5").save(buf, "PNG")
    image = ProductImage(product=product, display_order=0)
    image.original.save("egg.png", ContentFile(buf.getvalue()), save=False)
    image.save()


@pytest.mark.django_db
def test_product_page_has_open_graph_and_canonical(client, eggs):
    add_photo(eggs)
    html = client.get(eggs.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="散养土鸡蛋">' in html
    assert 'rel="canonical"' in html
    assert 'property="og:image"' in html


@pytest.mark.django_db
def test_catalogue_cards_offer_webp_renditions(client, eggs):
    add_photo(eggs)
    html = client.get("/shop/catalogue/").content.decode()
    assert 'srcset="' in html
    assert ".webp 300w" in html and ".webp 600w" in html
