"""The cart badge in the header and the tab bar follows the basket: after an add from a
product card, and after a quantity change or a removal on the basket page, whether the
page posts the form itself or the basket script redraws it (``basket_count`` in its reply,
read by static/js/site.js)."""

import re

import pytest
from django.urls import reverse

from tests.catalogue.factories import product_in_stock

AJAX = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def badges(html):
    header = re.search(r"data-basket-count>\s*(\d+)\s*<", html).group(1)
    tabbar = re.search(r'class="tabbar__count"[^>]*>\s*(\d+)\s*<', html).group(1)
    return int(header), int(tabbar)


def basket_form(client):
    """The basket page's form as the browser would post it, line by line."""
    formset = client.get(reverse("basket:summary")).context["formset"]
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count()),
        f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
    }
    for form in formset:
        data[f"{form.prefix}-id"] = str(form.instance.pk)
        data[f"{form.prefix}-quantity"] = str(form.instance.quantity)
    return data, [form.prefix for form in formset]


@pytest.mark.django_db
def test_badge_follows_an_add_from_a_product_card(client, eggs):
    catalogue = reverse("catalogue:index")
    assert badges(client.get(catalogue).content.decode()) == (0, 0)
    response = client.post(
        reverse("basket:add", kwargs={"pk": eggs.pk}),
        {"quantity": 10},
        HTTP_REFERER=catalogue,
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith(catalogue)
    assert badges(response.content.decode()) == (10, 10)


@pytest.mark.django_db
def test_basket_script_gets_the_new_count_after_a_change_and_a_removal(client, team, eggs):
    chickens = product_in_stock(team=team, title="农家小笨鸡", price=128, stock=9)
    client.post(reverse("basket:add", kwargs={"pk": eggs.pk}), {"quantity": 10})
    client.post(reverse("basket:add", kwargs={"pk": chickens.pk}), {"quantity": 1})

    data, (eggs_form, chickens_form) = basket_form(client)
    data[f"{eggs_form}-quantity"] = "20"
    reply = client.post(reverse("basket:summary"), data, **AJAX).json()
    assert reply["basket_count"] == 21
    assert "¥158.00" in reply["content_html"]  # 20 × 1.50 + 128

    data, _ = basket_form(client)
    data[f"{chickens_form}-DELETE"] = "on"
    reply = client.post(reverse("basket:summary"), data, **AJAX).json()
    assert reply["basket_count"] == 20
    assert "农家小笨鸡" not in reply["content_html"]
    assert badges(client.get(reverse("basket:summary")).content.decode()) == (20, 20)


@pytest.mark.django_db
def test_removing_a_line_beside_a_wrong_quantity_counts_and_totals_what_is_left(client, team):
    """The basket refuses the wrong quantity but removes the other line: the count and the
    totals it sends back are those of the lines left, not of the basket before."""
    eggs = product_in_stock(team=team, title="散养土鸡蛋", stock=100, order_step=10)
    chickens = product_in_stock(team=team, title="农家小笨鸡", price=128, stock=9)
    client.post(reverse("basket:add", kwargs={"pk": eggs.pk}), {"quantity": 10})
    client.post(reverse("basket:add", kwargs={"pk": chickens.pk}), {"quantity": 1})

    data, (eggs_form, chickens_form) = basket_form(client)
    data[f"{eggs_form}-quantity"] = "15"  # not a multiple of 10
    data[f"{chickens_form}-DELETE"] = "on"
    reply = client.post(reverse("basket:summary"), data, **AJAX).json()
    assert "农家小笨鸡" not in reply["content_html"]
    assert reply["basket_count"] == 10
    assert "¥128" not in reply["content_html"] and "¥143.00" not in reply["content_html"]
    assert "¥15.00" in reply["content_html"]

    data, _ = basket_form(client)
    reply = client.post(reverse("basket:summary"), data, **AJAX).json()
    assert reply["basket_count"] == 10
