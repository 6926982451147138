"""A work team changes a price through the products sheet, against the shop as it runs in
production (issue 20): the member signs in, downloads the team's sheet from the dashboard,
changes one price, uploads it, reads the preview, confirms, and the product page shows the
new price. The price is put back the same way at the end, so the journeys after this one
see the shop as it was."""

import csv
import io
import re
from decimal import Decimal
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup

from tests.production.conftest import BASE_URL, Visitor, shop_shell

pytestmark = pytest.mark.production

IMPORT = "/shop/dashboard/catalogue/products/import/"


def download_sheet(member):
    _, soup = member.page(IMPORT)
    link = soup.find("a", href=re.compile(r"/products/export/.*format=csv"))
    assert link is not None, "no CSV download on the sheet page"
    response = member.get(link["href"].replace("&amp;", "&"))
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def upload_and_confirm(member, rows, expect_change):
    """Upload ``rows`` through the page's form, check the preview, press 确认导入."""
    _, soup = member.page(IMPORT)
    form = soup.find("input", attrs={"type": "file", "name": "file"}).find_parent("form")
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    response = member.http.post(
        urljoin(BASE_URL + "/", IMPORT),
        data=member.form_fields(form),
        files={"file": ("products.csv", ("\ufeff" + buf.getvalue()).encode(), "text/csv")},
        headers={"Referer": urljoin(BASE_URL + "/", IMPORT)},
        timeout=60,
    )
    assert response.status_code == 200, response.text[:1500]
    preview = BeautifulSoup(response.text, "html.parser")
    assert not preview.select(".import-errors"), preview.select_one(".import-errors")
    assert expect_change in response.text, response.text[:3000]
    button = preview.find("button", attrs={"name": "confirm"})
    assert button is not None, "no 确认导入 button after a clean preview"
    done = member.submit(IMPORT, button.find_parent("form"))
    assert "导入完成" in done.text, done.text[:3000]


def test_a_team_changes_a_price_through_the_sheet_and_the_product_page_shows_it(team_member):
    rows = download_sheet(team_member)
    header, body = rows[0], rows[1:]
    assert header == ["商品编号", "名称", "分类", "单位", "起购数量", "单价", "库存", "产地村"]
    upc_at, price_at = header.index("商品编号"), header.index("单价")
    row = next((r for r in body if r[upc_at] and r[price_at]), None)
    assert row is not None, "the team's sheet has no product with a code and a price"
    product = shop_shell(
        f"""
import json
from oscar.core.loading import get_model
product = get_model("catalogue", "Product").objects.get(upc={row[upc_at]!r})
print(json.dumps({{"url": product.get_absolute_url(), "public": product.is_public}}))
"""
    )
    assert product["public"], "the chosen product is not on the shop"
    old = row[price_at]
    new = f"{Decimal(old) + Decimal('0.37'):.2f}"

    row[price_at] = new
    upload_and_confirm(team_member, [header, row], f"{old} → {new}")
    try:
        page = Visitor().get(product["url"]).text
        assert f"¥{new}" in page, re.findall(r"¥[\d.]+", page)[:5]
    finally:
        row[price_at] = old
        upload_and_confirm(team_member, [header, row], f"{new} → {old}")
    assert f"¥{old}" in Visitor().get(product["url"]).text
