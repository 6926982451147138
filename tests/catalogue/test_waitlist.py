""" "到货通知我" (issue 21): a buyer waits for a sold-out product; a new supply commitment or a
cancellation wakes the waitlist; buyers are told first come first told, as many as the
free units serve, once each; the team sees who waits per product and run."""

import pytest
from django.core import mail
from django.urls import reverse

from fulfilment import supply
from shop.order import cancellation
from shop.waitlist import wake
from shop.waitlist.models import WaitingBuyer
from tests.catalogue.factories import HouseholdFactory, product_in_stock
from tests.fulfilment.factories import CommitmentFactory
from tests.order.factories import make_order
from tests.partner.factories import team_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(team):
    return HouseholdFactory(team=team)


@pytest.fixture
def sold_out(team, run, household):
    """Black-shell eggs the households promised 2 of for ``run``, both sold."""
    product = product_in_stock(team=team, title="绿壳乌鸡蛋", stock=0)
    product.households.add(household)
    CommitmentFactory(run=run, household=household, product=product, quantity=2)
    supply.sync_stock(team)
    make_order(run, [(product, 2)], email="first@example.cn")
    supply.sync_stock(team)
    assert wake.free_units(product) == 0
    return product


def join(client, product, email):
    return client.post(reverse("waitlist:join", kwargs={"pk": product.pk}), {"email": email})


def test_a_sold_out_product_offers_the_waitlist_and_a_buyer_joins(client, sold_out, run):
    html = client.get(sold_out.get_absolute_url()).content.decode()
    assert "到货通知我" in html and "加入购物车" not in html
    assert reverse("waitlist:join", kwargs={"pk": sold_out.pk}) in html
    response = join(client, sold_out, "Wang@Example.cn")
    assert response.status_code == 302
    entry = WaitingBuyer.objects.get(product=sold_out)
    assert (entry.email, entry.run) == ("wang@example.cn", run)
    assert len(mail.outbox) == 1 and entry.token in mail.outbox[0].body  # the way to stop
    page = client.get(sold_out.get_absolute_url()).content.decode()
    assert "已登记" in page and reverse("waitlist:cancel", kwargs={"token": entry.token}) in page
    # Twice is once.
    join(client, sold_out, "wang@example.cn")
    assert WaitingBuyer.objects.filter(product=sold_out).count() == 1


def test_a_signed_in_buyer_joins_with_her_own_address(client, sold_out, customer):
    client.force_login(customer)
    assert join(client, sold_out, "").status_code == 302
    entry = WaitingBuyer.objects.get(product=sold_out)
    assert (entry.email, entry.user) == (customer.email, customer)
    assert "已登记" in client.get(sold_out.get_absolute_url()).content.decode()


@pytest.mark.parametrize("email", ["", "not-an-address", "a" * 300 + "@example.cn"])
def test_a_bad_address_gets_a_clear_message_and_nothing_is_written(client, sold_out, email):
    response = join(client, sold_out, email)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "邮箱" in page
    assert not WaitingBuyer.objects.exists()


def test_a_product_in_stock_needs_no_waitlist(client, eggs):
    response = join(client, eggs, "a@example.cn")
    page = client.get(response["Location"]).content.decode()
    assert "现在有货" in page
    assert not WaitingBuyer.objects.exists()


def test_an_unknown_or_hidden_product_is_a_404(client, team):
    hidden = product_in_stock(team=team, stock=0, is_public=False)
    assert join(client, hidden, "a@example.cn").status_code == 404
    assert (
        client.post(
            reverse("waitlist:join", kwargs={"pk": 999999}), {"email": "a@b.cn"}
        ).status_code
        == 404
    )
    assert client.get(reverse("waitlist:join", kwargs={"pk": hidden.pk})).status_code == 405


def test_a_new_commitment_wakes_the_waitlist_first_come_first_told_once_each(
    client, sold_out, run, team, household, django_capture_on_commit_callbacks
):
    for email in ("a@example.cn", "b@example.cn", "c@example.cn"):
        join(client, sold_out, email)
    mail.outbox.clear()
    member = team_member(team)
    client.force_login(member)
    supply_page = client.get(reverse("fulfilment:run-supply", args=[run.pk])).content.decode()
    assert "绿壳乌鸡蛋：3 人在等" in supply_page

    # The household can bring 2 more: the first two are told, the third keeps waiting.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("fulfilment:run-supply", args=[run.pk]),
            {"row": "1", "household": household.pk, "product": sold_out.pk, "quantity": "4"},
        )
    assert response.status_code == 302
    told = sorted(message.to[0] for message in mail.outbox)
    assert told == ["a@example.cn", "b@example.cn"]
    assert "又有货了" in mail.outbox[0].subject
    assert sold_out.get_absolute_url() in mail.outbox[0].body
    waiting = WaitingBuyer.objects.filter(told_at=None, cancelled_at=None)
    assert list(waiting.values_list("email", flat=True)) == ["c@example.cn"]
    supply_page = client.get(reverse("fulfilment:run-supply", args=[run.pk])).content.decode()
    assert "绿壳乌鸡蛋：1 人在等" in supply_page

    # Told once: the same stock again tells nobody twice.
    mail.outbox.clear()
    assert wake.tell_waiting([sold_out.pk]) == 1  # only c is left, and 2 units are free
    assert [message.to[0] for message in mail.outbox] == ["c@example.cn"]
    assert wake.tell_waiting([sold_out.pk]) == 0


def test_a_cancelled_order_wakes_the_waitlist(
    client, team, run, household, django_capture_on_commit_callbacks
):
    product = product_in_stock(team=team, title="小笨鸡", stock=0)
    CommitmentFactory(run=run, household=household, product=product, quantity=1)
    supply.sync_stock(team)
    order = make_order(run, [(product, 1)])
    supply.sync_stock(team)
    join(client, product, "wait@example.cn")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.cancel_by_customer(order)
    assert [message.to[0] for message in mail.outbox] == ["wait@example.cn"]


def test_the_cancel_link_stops_the_wait(client, sold_out, household, run):
    join(client, sold_out, "stop@example.cn")
    entry = WaitingBuyer.objects.get()
    url = reverse("waitlist:cancel", kwargs={"token": entry.token})
    page = client.get(url)
    assert page.status_code == 200 and "不用通知我了" in page.content.decode()
    entry.refresh_from_db()
    assert entry.is_waiting  # a GET (a mail scanner) changes nothing
    assert client.post(url).status_code == 200
    entry.refresh_from_db()
    assert entry.cancelled_at is not None
    mail.outbox.clear()
    supply.set_commitment(run, household, sold_out, 5)
    assert wake.tell_waiting([sold_out.pk]) == 0
    assert not mail.outbox


def test_a_wrong_cancel_link_is_a_404(client):
    assert client.get(reverse("waitlist:cancel", kwargs={"token": "nope"})).status_code == 404
    assert client.post(reverse("waitlist:cancel", kwargs={"token": "nope"})).status_code == 404


def test_another_teams_member_does_not_see_the_waitlist(client, sold_out, run, other_team):
    join(client, sold_out, "a@example.cn")
    client.force_login(team_member(other_team))
    assert client.get(reverse("fulfilment:run-supply", args=[run.pk])).status_code in (403, 404)


def test_stock_typed_in_by_the_team_wakes_the_waitlist(
    client, team, django_capture_on_commit_callbacks
):
    """A product no household promised for: its level is what the team types on the phone."""
    from tests.fulfilment.test_team_products import edit_data, edit_url

    product = product_in_stock(team=team, title="柿子饼", stock=0)
    for email in ("one@example.cn", "two@example.cn"):
        join(client, product, email)
    mail.outbox.clear()
    client.force_login(team_member(team))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(product), edit_data(product, team, stock_amount="1"))
    assert response.status_code == 302
    assert [message.to[0] for message in mail.outbox] == ["one@example.cn"]


def test_buyers_waiting_since_an_earlier_run_are_counted_on_every_later_run(
    client, sold_out, run, later_run, team, other_team
):
    """A buyer waits for the next runs, not one date: the team planning supply for a later
    run sees her too (more promised there serves her), another team's run does not."""
    from tests.fulfilment.factories import DeliveryRunFactory

    join(client, sold_out, "early@example.cn")
    assert WaitingBuyer.objects.get().run == run  # asked while the first run took orders
    client.force_login(team_member(team))
    for each in (run, later_run):
        page = client.get(reverse("fulfilment:run-supply", args=[each.pk])).content.decode()
        assert "绿壳乌鸡蛋：1 人在等" in page, each
    assert wake.waiting_on_run(DeliveryRunFactory(team=other_team)) == {}
