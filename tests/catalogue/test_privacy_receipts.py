"""The privacy crawl (``test_privacy``) carried over to the pages that name households by
their money: an order's receipt (the buyer's account page, the guest page, the public page
the packing label's QR code opens, in both languages) and each household's own page. None
shows a real name, a phone, the name of a household that did not agree to be named, or
(on a household page) anything of another household."""

import pytest

from fulfilment import household_page, payouts, receipt, runs, supply
from fulfilment.models import DeliveryRun
from shop.buyer import links
from tests.catalogue.test_privacy import PHONE, REAL_NAME, world  # noqa: F401  the same world
from tests.order.factories import make_order

HIDDEN = ("司马长顺", "13800000000", "不愿公开的称呼")


@pytest.fixture
def sold(world, run, customer):  # noqa: F811
    """Both households of the world supply the eggs of two orders; the run is delivered
    and the named household is paid."""
    product = world["product"]
    shown = product.households.get(consent_name=True)
    hidden = product.households.get(consent_name=False)
    supply.set_commitment(run, shown, product, 10)
    supply.set_commitment(run, hidden, product, 10)
    mine = make_order(run, [(product, 15)], name="张三", line1="幸福路8号")
    mine.user = customer
    mine.save(update_fields=["user"])
    theirs = make_order(run, [(product, 5)], name="李四", email="li@example.cn")
    runs.change_status(run, DeliveryRun.Status.CLOSED)
    DeliveryRun.objects.filter(pk=run.pk).update(status=DeliveryRun.Status.DONE)
    run.refresh_from_db()
    statement = next(s for s in payouts.for_run(run) if s.household == shown)
    payouts.mark_paid(statement, None)
    return {"shown": shown, "hidden": hidden, "mine": mine, "theirs": theirs}


@pytest.mark.django_db
def test_receipt_pages_show_no_private_field(client, sold, customer):
    mine = sold["mine"]
    client.force_login(customer)
    pages = [f"/shop/accounts/orders/{mine.number}/", f"/en/shop/accounts/orders/{mine.number}/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'data-testid="receipt-household"' in html, url
        assert "王大姐家" in html, url
        for secret in (REAL_NAME, PHONE, *HIDDEN):
            assert secret not in html, f"{secret} leaked on {url}"
    client.logout()
    public = [
        links.order_path(mine),
        links.order_path(mine, "en"),
        receipt.path_for(mine),
        receipt.path_for(mine, "en"),
    ]
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "王大姐家" in html, url
        for secret in (REAL_NAME, PHONE, *HIDDEN):
            assert secret not in html, f"{secret} leaked on {url}"
    for url in public[2:]:  # the QR page: nothing of the buyer either
        html = client.get(url).content.decode()
        for buyer in ("张三", "幸福路8号", "13812345678", "example.cn"):
            assert buyer not in html, f"{buyer} leaked on {url}"


@pytest.mark.django_db
def test_household_pages_show_only_their_own_household(client, sold):
    shown, hidden = sold["shown"], sold["hidden"]
    for household, other_names in ((shown, HIDDEN), (hidden, ("王大姐家", REAL_NAME, PHONE))):
        for language in ("zh-hans", "en"):
            url = household_page.path_for(household, language)
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            for secret in (*other_names, "张三", "李四", "幸福路8号", "13812345678"):
                assert secret not in html, f"{secret} leaked on {url}"
            # its own private fields stay with the team too
            assert household.real_name not in html and household.phone not in html, url
