"""Sharing a product in WeChat: a JPEG share card and a short link instead of the long
percent-encoded address."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from catalogue import share
from tests.catalogue.test_product_sharing import add_photo


@pytest.mark.django_db
def test_share_card_is_a_jpeg_of_the_card_size(client, eggs):
    add_photo(eggs)

    response = client.get(reverse("origin:product-card", kwargs={"pk": eggs.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    card = Image.open(io.BytesIO(response.content))
    assert card.format == "JPEG"
    assert card.size == share.CARD_SIZE == (750, 1000)


@pytest.mark.django_db
def test_product_page_shares_the_short_link_and_the_jpeg_card(client, eggs):
    add_photo(eggs)
    html = client.get(eggs.get_absolute_url()).content.decode()

    code = share.short_code(eggs.pk)
    assert f'value="http://127.0.0.1:8000/p/{code}"' in html
    assert "%E" not in html.split('class="share-block"')[1].split("</section>")[0]
    og_image = html.split('property="og:image" content="')[1].split('"')[0]
    assert og_image.endswith(reverse("origin:product-card", kwargs={"pk": eggs.pk}))


@pytest.mark.django_db
def test_short_link_redirects_to_the_product_page_in_its_language(client, eggs):
    code = share.short_code(eggs.pk)
    assert len(code) <= 4 and share.product_id(code) == eggs.pk

    response = client.get(f"/p/{code}")
    assert response.status_code == 301
    assert response["Location"] == eggs.get_absolute_url()
    english = client.get(f"/en/p/{code}")
    assert english["Location"].startswith("/en/shop/catalogue/")
    assert client.get("/p/not-a-code").status_code == 404
    assert client.get("/p/zzzzzz").status_code == 404
