"""A household's own page by private link: only its own figures, the same as its payouts;
the team hands the link over (QR), revokes it for a new one; a payout texts the household."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fulfilment import household_page, payouts, runs, shortfalls, supply
from fulfilment.models import Allocation, DeliveryRun, Payout
from shop.notices.models import Notice
from shop.order import money
from tests.fulfilment.factories import DeliveryRunFactory
from tests.order.factories import make_order
from tests.partner.factories import team_member

S = DeliveryRun.Status
BUYER_PHONE = "13812345678"  # what tests.order.factories.make_order gives every buyer


@pytest.fixture
def delivered(run, eggs, households):
    """吴奶奶家 (monitored) and 王大姐家 (formerly poor) promise 20 and 40 eggs; buyers take
    40; 王大姐家 brings 15 fewer, so the last orders are cut; the run is delivered."""
    supply.set_commitment(run, households["monitored"], eggs, 20)
    supply.set_commitment(run, households["poor"], eggs, 40)
    now = timezone.now()
    for hours, quantity, name, online in ((3, 20, "张三", True), (2, 10, "李四", False)):
        make_order(
            run,
            [(eggs, quantity)],
            name=name,
            email=f"{hours}@example.cn",
            paid_online=online,
            placed=now - datetime.timedelta(hours=hours),
        )
    make_order(run, [(eggs, 10)], name="赵五", placed=now - datetime.timedelta(hours=1))
    runs.change_status(run, S.CLOSED)
    shortfalls.record_shortfall(run, households["poor"], eggs, 15)
    DeliveryRun.objects.filter(pk=run.pk).update(status=S.DONE)
    run.refresh_from_db()
    return run


def _page(client, household, language=""):
    return client.get(f"{language}{household_page.path_for(household, 'zh-hans')}")


def _pay(statement, actor, capture):
    with capture(execute=True):
        return payouts.mark_paid(statement, actor)


@pytest.mark.django_db
def test_page_shows_only_its_own_household_and_no_buyer(client, delivered, households, member):
    a, b = households["monitored"], households["poor"]
    a_statement = next(s for s in payouts.for_run(delivered) if s.household == a)
    payouts.mark_paid(a_statement, member)
    response = _page(client, a)
    assert response.status_code == 200
    html = response.content.decode()
    assert "吴奶奶家" in html and "¥30.00" in html
    for private in (b.public_name, b.real_name, b.phone, a.real_name, a.phone, "¥7.50"):
        assert private not in html
    for buyer in ("张三", "李四", "赵五", BUYER_PHONE, "example.cn"):
        assert buyer not in html
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert 'name="robots" content="noindex' in html
    # B's page shows B's figures and nothing of A
    html_b = _page(client, b).content.decode()
    assert "¥7.50" in html_b and "吴奶奶家" not in html_b and "¥30.00" not in html_b


@pytest.mark.django_db
def test_page_is_not_kept_by_the_page_cache(client, delivered, households):
    from django.core.cache import cache

    a = households["monitored"]
    path = household_page.path_for(a)
    with override_settings(PAGE_CACHE_ENABLED=True):
        client.get(path)
        second = client.get(path)
        assert second.get("X-Page-Cache", "").lower() != "hit"
        household_page.renew(a)
        assert client.get(path).status_code == 404
    cache.clear()


@pytest.mark.django_db
def test_unknown_and_revoked_links_are_404_and_the_new_one_works(client, delivered, households):
    a = households["monitored"]
    old = household_page.live_link(a)
    assert client.get(f"/h/{old.token}/").status_code == 200
    assert client.get("/h/not-a-real-token-at-all/").status_code == 404
    new = household_page.renew(a)
    assert new.token != old.token
    assert client.get(f"/h/{old.token}/").status_code == 404
    assert client.get(f"/en/h/{old.token}/").status_code == 404
    assert client.get(f"/h/{new.token}/").status_code == 200


@pytest.mark.django_db
def test_english_page(client, delivered, households):
    a = households["monitored"]
    response = client.get(household_page.path_for(a, "en"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Earned in all" in html and "¥30.00" in html
    assert 'lang="en"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("fee", [0, 5])
def test_page_totals_equal_payouts_and_money_module_credits(
    client, delivered, households, member, fee, django_capture_on_commit_callbacks
):
    with override_settings(HOUSEHOLD_PAYOUT_FEE_PERCENT=fee):
        credited = {}
        for credit in money.credits_for_run(delivered):
            credited[credit.household_id] = credited.get(credit.household_id, D("0")) + (
                credit.amount
            )
        for statement in payouts.for_run(delivered):
            _pay(statement, member, django_capture_on_commit_callbacks)
        for household in (households["monitored"], households["poor"]):
            account = payouts.for_household(household)
            made = Payout.objects.filter(household=household)
            assert account.paid == sum(p.net for p in made) == account.earned
            assert account.unpaid == 0
            assert account.runs[0].gross == credited[household.pk]
            assert account.months[0].gross == credited[household.pk]
            html = _page(client, household).content.decode()
            assert f"¥{account.earned}" in html
            assert f"¥{made.get().net}" in html
    assert credited == {households["monitored"].pk: D("30.00"), households["poor"].pk: D("7.50")}


@pytest.mark.django_db
def test_month_payout_marks_its_runs_paid_and_open_promises_show(
    client, delivered, later_run, eggs, team, households, member
):
    a = households["monitored"]
    supply.set_commitment(later_run, a, eggs, 12)
    before = payouts.for_household(a)
    assert before.unpaid == D("30.00") and before.paid == 0
    month = next(s for s in payouts.for_month(team, delivered.date) if s.household == a)
    payouts.mark_paid(month, member)
    account = payouts.for_household(a)
    assert account.runs[0].paid.month == payouts.month_start(delivered.date)
    assert account.unpaid == 0 and account.paid == D("30.00")
    html = _page(client, a).content.decode()
    assert "12 枚" in html or "12 " in html
    assert len([p for p in household_page.promises(a)]) == 1


@pytest.mark.django_db
def test_query_count_does_not_grow_with_runs(client, delivered, households, eggs, team):
    a = households["monitored"]
    path = household_page.path_for(a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    count()  # the first request warms what every page reads once per process
    few = count()
    for days in range(1, 6):
        extra = DeliveryRunFactory(
            team=team,
            date=timezone.localdate() - datetime.timedelta(days=days * 7),
            status=S.DONE,
        )
        Allocation.objects.create(
            run=extra, household=a, product=eggs, quantity=days, unit_price=D("1.50")
        )
    assert count() == few
    assert few <= 15


@pytest.mark.django_db
def test_payout_texts_the_household_once_with_amount_and_link(
    delivered, households, member, django_capture_on_commit_callbacks, caplog
):
    a = households["monitored"]
    statement = next(s for s in payouts.for_run(delivered) if s.household == a)
    with caplog.at_level("INFO"):
        payout = _pay(statement, member, django_capture_on_commit_callbacks)
    notice = Notice.objects.get(payout=payout)
    assert notice.phone == a.phone and notice.kind == "payout_paid"
    assert notice.sent_at is not None
    assert notice.params["amount"] == "30.00"
    assert notice.params["link"].endswith(household_page.path_for(a))
    with pytest.raises(payouts.AlreadyPaid):
        _pay(statement, member, django_capture_on_commit_callbacks)
    from shop.notices import payout_paid

    payout_paid(payout)  # asked again: the key finds the row, nothing new
    assert Notice.objects.filter(payout=payout).count() == 1


@pytest.mark.django_db
def test_no_text_without_a_phone(delivered, households, member):
    b = households["poor"]
    type(b).objects.filter(pk=b.pk).update(phone="")
    statement = next(s for s in payouts.for_run(delivered) if s.household.pk == b.pk)
    statement.household.phone = ""
    payout = payouts.mark_paid(statement, member)
    assert not Notice.objects.filter(payout=payout).exists()


# --- the team's side: the link, its QR code, revoking it ------------------------------


@pytest.mark.django_db
def test_team_sees_link_and_qr_and_payouts_page_links_to_it(client, households, member):
    a = households["monitored"]
    client.force_login(member)
    payouts_page = client.get("/shop/team/payouts/").content.decode()
    assert f"/shop/team/households/{a.pk}/link/" in payouts_page and "发链接" in payouts_page
    response = client.get(f"/shop/team/households/{a.pk}/link/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and household_page.url_for(a) in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_renew_needs_confirmation_then_replaces_the_link(client, households, member):
    a = households["monitored"]
    old = household_page.live_link(a)
    client.force_login(member)
    url = f"/shop/team/households/{a.pk}/link/renew/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {})
    assert refused.status_code == 400
    assert "请先勾选确认" in refused.content.decode()
    assert household_page.household_for(old.token) == a  # nothing changed
    done = client.post(url, {"confirm": "1"})
    assert done.status_code == 302
    assert household_page.household_for(old.token) is None
    new = household_page.live_link(a)
    assert new.token != old.token
    assert client.get(f"/h/{new.token}/").status_code == 200
    assert client.get(f"/h/{old.token}/").status_code == 404


@pytest.mark.django_db
def test_other_team_gets_404_and_coordinator_may(client, households, other_team, coordinator):
    a = households["monitored"]
    old = household_page.live_link(a)
    client.force_login(team_member(other_team))
    for url in (
        f"/shop/team/households/{a.pk}/link/",
        f"/shop/team/households/{a.pk}/link/renew/",
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(f"/shop/team/households/{a.pk}/link/renew/", {"confirm": "1"}).status_code
        == 404
    )
    assert household_page.household_for(old.token) == a
    client.logout()
    anonymous = client.get(f"/shop/team/households/{a.pk}/link/")
    assert anonymous.status_code == 302
    client.force_login(coordinator)
    assert client.get(f"/shop/team/households/{a.pk}/link/").status_code == 200
    assert (
        client.post(f"/shop/team/households/{a.pk}/link/renew/", {"confirm": "1"}).status_code
        == 302
    )
    assert household_page.household_for(old.token) is None


@pytest.mark.django_db
def test_statement_pdf_by_link_only_for_its_own_runs(client, delivered, households):
    a, other = households["monitored"], households["other"]
    own = client.get(f"{household_page.path_for(a)}statements/{delivered.pk}.pdf")
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    assert own.content.startswith(b"%PDF")
    assert "no-store" in own["Cache-Control"]
    assert f"statements/{delivered.pk}.pdf" in _page(client, a).content.decode()
    # a household with nothing on that run gets no statement for it
    assert (
        client.get(f"{household_page.path_for(other)}statements/{delivered.pk}.pdf").status_code
        == 404
    )
    old = household_page.path_for(a)
    household_page.renew(a)
    assert client.get(f"{old}statements/{delivered.pk}.pdf").status_code == 404
